//! What the benchmarks share: the allocator the `kubesim` binary uses, and peak memory.

/// mimalloc, as in the binary (see `kubesim::alloc`).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Peak resident memory of this process so far (`VmHWM`), in MiB.
pub fn peak_rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .and_then(|l| l.split_whitespace().nth(1))
        .and_then(|kb| kb.parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// A cluster on the newest profile, the default image table (unless `images`) and the
/// default start, with nodes `node-1`…`node-N` of the given capacity (`(resource,
/// quantity)`; none = the simulator's default node). Not every bench uses every helper.
#[allow(dead_code)]
pub fn cluster(
    images: Option<kubesim::sim::image::ImageTable>,
    nodes: usize,
    capacity: &[(&str, &str)],
) -> kubesim::sim::Cluster {
    use kubesim::time::{WallClock, default_start};
    let images = images.unwrap_or_default();
    let mut cluster = kubesim::sim::Cluster::new(
        kubesim::profile::Profile::default(),
        WallClock::new(default_start()),
        0,
        images,
    );
    for i in 0..nodes {
        let mut node = kubesim::sim::NodeSpecInput { name: format!("node-{}", i + 1), ..Default::default() };
        for (resource, quantity) in capacity {
            node.capacity.insert(resource.to_string(), quantity.to_string());
        }
        cluster.add_node(&node).expect("node");
    }
    cluster
}

/// Parses a YAML manifest, admits it as the apiserver would, and stores it.
#[allow(dead_code)]
pub fn create<T>(cluster: &mut kubesim::sim::Cluster, manifest: &str)
where
    T: kubesim::api::admission::Admit + kubesim::api::store::Object,
{
    let mut obj: T = serde_yaml::from_str(manifest).expect("manifest");
    kubesim::api::admission::admit(&mut obj, &mut cluster.store).expect("valid");
    cluster.store.create(obj).expect("create");
}
