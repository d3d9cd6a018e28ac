use kubesim::kubectl::{Env, run};
use kubesim::profile::Profile;
use kubesim::sim::image::{ImageSpec, ImageTable, Pull};
use kubesim::sim::{Cluster, NodeSpecInput};
use kubesim::time::{WallClock, default_start};
use std::collections::BTreeMap;

#[test]
fn smoke() {
    let mut images = ImageTable::default();
    images.entries.insert(
        "ksfzhaohui/kubia".into(),
        ImageSpec { pull: Some(Pull::After(5000)), terminate: Some(30000), ..Default::default() },
    );
    let mut c = Cluster::new(Profile::parse("1.17").unwrap(), WallClock::new(default_start()), 0, images);
    c.add_node(&NodeSpecInput {
        name: "minikube".into(),
        roles: vec!["master".into()],
        ..Default::default()
    })
    .unwrap();
    let mut files = BTreeMap::new();
    files.insert("kubia-rc.yaml".to_string(), "apiVersion: v1\nkind: ReplicationController\nmetadata:\n   name: kubia\nspec:\n   replicas: 3\n   selector:\n      app: kubia\n   template:\n      metadata:\n         labels:\n            app: kubia\n      spec:\n         containers:\n         - name: kubia\n           image: ksfzhaohui/kubia\n           ports:\n           - containerPort: 8080\n".to_string());
    let cmds: Vec<(u64, &str)> = vec![
        (0, "kubectl create -f kubia-rc.yaml"),
        (73000, "kubectl get pods"),
        (0, "kubectl get rc -o wide"),
        (0, "kubectl get pods --show-labels -o wide"),
        (0, "kubectl delete pod --wait=false $P"),
        (11000, "kubectl get pods"),
        (0, "kubectl describe rc kubia"),
        (0, "kubectl scale rc kubia --replicas=5"),
        (2000, "kubectl get pods"),
        (0, "kubectl delete rc kubia --cascade=false"),
        (0, "kubectl get pods"),
        (0, "kubectl get rc kubia"),
        (0, "kubectl get nodes -o wide"),
        (0, "kubectl logs $P"),
        (0, "kubectl get pod $P -o yaml"),
    ];
    let mut p = String::new();
    for (wait, cmd) in cmds {
        c.advance_by(wait).unwrap();
        let cmd = cmd.replace("$P", &p);
        let files2 = files.clone();
        let mut env = Env { cluster: &mut c, files: &files2, edit: None };
        let argv = shlex::split(&cmd).unwrap();
        let out = run(&mut env, &argv).unwrap();
        println!("$ {cmd}\n{}{}[exit {}]", out.stdout, out.stderr, out.code);
        if p.is_empty() {
            if let Some(l) = out.stdout.lines().nth(1) {
                p = l.split_whitespace().next().unwrap_or("").to_string();
            }
        }
    }
}
