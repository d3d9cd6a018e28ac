//! Memory accounting (not a timed test): a Deployment of N replicas (default 10,000) on
//! N/20 nodes is created and run until every pod runs; then the bytes the simulation
//! holds are reported per pod, split into the pod objects themselves, the kubelet's
//! per-pod state, the events, and everything else (store indexes, controller caches).
//! Counts bytes requested from the allocator (not its rounding).
//!
//! `cargo bench --bench memory` runs 10k replicas; `cargo bench --bench memory -- 50000`
//! runs another size.

use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use k8s_openapi::api::apps::v1::Deployment;
use k8s_openapi::api::core::v1::Pod;
use kubesim::api::admission::admit;
use kubesim::profile::Profile;
use kubesim::sim::image::ImageTable;
use kubesim::sim::{Cluster, NodeSpecInput};
use kubesim::time::{HOUR, WallClock, default_start};

/// mimalloc (or, with `KUBESIM_SYSTEM_ALLOC` set, the system allocator, which heap
/// profilers such as heaptrack can see), counting the bytes live.
struct Counting;

static LIVE: AtomicUsize = AtomicUsize::new(0);
static SYSTEM: OnceLock<bool> = OnceLock::new();

unsafe extern "C" {
    fn getenv(name: *const std::ffi::c_char) -> *const std::ffi::c_char;
}

/// Decided at the first allocation (before `main`), without allocating.
fn system() -> bool {
    // SAFETY: getenv with a NUL-terminated name; only the pointer's nullness is read.
    *SYSTEM.get_or_init(|| unsafe { !getenv(c"KUBESIM_SYSTEM_ALLOC".as_ptr()).is_null() })
}

// SAFETY: forwards to mimalloc unchanged; only counts.
unsafe impl GlobalAlloc for Counting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        LIVE.fetch_add(layout.size(), Ordering::Relaxed);
        unsafe { if system() { System.alloc(layout) } else { mimalloc::MiMalloc.alloc(layout) } }
    }
    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe {
            if system() { System.dealloc(ptr, layout) } else { mimalloc::MiMalloc.dealloc(ptr, layout) }
        }
    }
    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        LIVE.fetch_add(new_size, Ordering::Relaxed);
        LIVE.fetch_sub(layout.size(), Ordering::Relaxed);
        unsafe {
            if system() {
                System.realloc(ptr, layout, new_size)
            } else {
                mimalloc::MiMalloc.realloc(ptr, layout, new_size)
            }
        }
    }
}

#[global_allocator]
static ALLOCATOR: Counting = Counting;

fn live() -> usize {
    LIVE.load(Ordering::Relaxed)
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).filter(|a| !a.starts_with('-')).collect();
    let replicas: usize = args.first().and_then(|a| a.parse().ok()).unwrap_or(10_000);
    let mut cluster =
        Cluster::new(Profile::default(), WallClock::new(default_start()), 0, ImageTable::default());
    for i in 0..(replicas / 20).max(1) {
        let mut node = NodeSpecInput { name: format!("node-{}", i + 1), ..Default::default() };
        node.capacity.insert("pods".into(), "110".into());
        cluster.add_node(&node).expect("node");
    }
    let manifest = format!(
        "apiVersion: apps/v1\nkind: Deployment\nmetadata: {{name: web, namespace: default}}\nspec:\n  replicas: {replicas}\n  selector: {{matchLabels: {{app: web}}}}\n  template:\n    metadata: {{labels: {{app: web}}}}\n    spec: {{containers: [{{name: web, image: nginx:1.25}}]}}\n"
    );
    let mut d: Deployment = serde_yaml::from_str(&manifest).expect("manifest");
    admit(&mut d, &mut cluster.store).expect("valid");
    cluster.store.create(d).expect("create");
    let start = cluster.now();
    let running = |c: &Cluster| {
        c.store
            .list::<Pod>(None)
            .filter(|p| p.status.as_ref().and_then(|s| s.phase.as_deref()) == Some("Running"))
            .count()
            == replicas
    };
    assert!(cluster.advance_until(start + HOUR, running).expect("no livelock"), "pods did not all run");
    cluster.advance_by(kubesim::time::SECOND).expect("no livelock");

    let total = live();
    let before = live();
    let pods: Vec<Pod> = cluster.store.list::<Pod>(None).cloned().collect();
    let pod_bytes = live() - before;
    let measure = |name: &str, f: &dyn Fn(&Pod) -> Box<dyn std::any::Any>| {
        let before = live();
        let parts: Vec<Box<dyn std::any::Any>> = pods.iter().map(f).collect();
        let b = live() - before - parts.capacity() * 16;
        drop(parts);
        println!("    {name:<12} {:>8.0}", b as f64 / pods.len() as f64);
    };
    measure("metadata", &|p| Box::new(p.metadata.clone()));
    measure("spec", &|p| Box::new(p.spec.clone()));
    measure("status", &|p| Box::new(p.status.clone()));
    measure("containers", &|p| Box::new(p.spec.as_ref().unwrap().containers.clone()));
    measure("volumes", &|p| Box::new(p.spec.as_ref().unwrap().volumes.clone()));
    measure("tolerations", &|p| Box::new(p.spec.as_ref().unwrap().tolerations.clone()));
    measure("conditions", &|p| Box::new(p.status.as_ref().unwrap().conditions.clone()));
    measure("cstatuses", &|p| Box::new(p.status.as_ref().unwrap().container_statuses.clone()));
    measure("labels", &|p| Box::new(p.metadata.labels.clone()));
    measure("ownerrefs", &|p| Box::new(p.metadata.owner_references.clone()));
    measure("managedf", &|p| Box::new(p.metadata.managed_fields.clone()));
    drop(pods);
    let before = live();
    let events = cluster.store.events().to_vec();
    let event_bytes = live() - before;
    let event_count = events.len();
    drop(events);
    let before = live();
    drop(std::mem::take(&mut cluster.kubelet));
    let kubelet_bytes = before - live();
    let keys: Vec<(String, String)> = cluster
        .store
        .list::<Pod>(None)
        .map(|p| {
            (p.metadata.namespace.clone().unwrap_or_default(), p.metadata.name.clone().unwrap_or_default())
        })
        .collect();
    let before = live();
    for (ns, name) in &keys {
        cluster.store.remove::<Pod>(ns, name);
    }
    let _ = cluster.store.take_changes();
    let removed_bytes = before - live();
    let per = |b: usize| b as f64 / replicas as f64;
    println!(
        "  (removing the pods from the store frees {:.0} B per pod: objects, slack and indexes)",
        per(removed_bytes)
    );
    println!("memory, {replicas} running pods: {:.0} B per pod in all", per(total));
    println!("  pod objects   {:>8.0} B per pod (heap of a clone)", per(pod_bytes));
    println!("  kubelet state {:>8.0} B per pod", per(kubelet_bytes));
    println!(
        "  events        {:>8.0} B per pod ({event_count} events; heap of a clone, shared parts counted once per event)",
        per(event_bytes)
    );
    println!("  the rest      {:>8.0} B per pod", per(total - pod_bytes - kubelet_bytes - event_bytes));
}
