use super::*;

const FILE: &str = "scenarios/x.yaml";

fn parse(text: &str) -> Scenario {
    match parse_scenario(FILE, text, "x") {
        Ok(scenario) => scenario,
        Err(err) => panic!("unexpected error: {err}"),
    }
}

fn err(text: &str) -> String {
    match parse_scenario(FILE, text, "x") {
        Ok(_) => panic!("expected an error for:\n{text}"),
        Err(err) => err.to_string(),
    }
}

fn action(text: &str) -> Action {
    let mut scenario = parse(text);
    assert_eq!(scenario.steps.len(), 1);
    scenario.steps.remove(0).action
}

const FULL: &str = r#"name: ReplicaSet replaces a deleted pod
description: |
  From "Kubernetes in Action", chapter 4.
kubernetes: "1.17.3"
seed: 7
start: 2024-05-31T10:00:00Z
cluster:
  nodes:
    - name: master
      roles: [control-plane]
      taints:
        - {key: node-role.kubernetes.io/control-plane, effect: NoSchedule}
    - name: worker1
      labels: {disk: ssd, rack: 3}
      capacity: {cpu: "4", memory: 8Gi, pods: 110}
images:
  ksfzhaohui/batch-job:
    exit: {after: 120s, code: 0}
  nginx:
    pull: 1s
    start: 0s
    exit: never
    terminate: 0
    ready: always
    live: always
    logs: ""
  broken:
    pull: {error: true, after: 45s}
    ready: {after: 10s}
    live: {failAfter: 5}
  plain:
files:
  rc.yaml: |
    apiVersion: v1
    kind: ReplicationController
  https://example.com/pod.yaml: "kind: Pod\n"
steps:
  - note: The ReplicaSet now adopts the three orphaned pods.
  - run: kubectl get pods -o wide
    expect: |
      NAME          READY   STATUS
      kubia-[..]    1/1     Running
  - wait: 30s
  - at: 10m
  - node: {add: worker2, labels: {disk: ssd}}
  - node: {down: worker1}
  - node: {up: worker1}
  - node: {remove: worker1}
  - pod: {crash: kubia-x7k2p, exitCode: 1}
  - pod: {crash: "-l app=web", container: main}
  - metrics: {selector: app=php-apache, cpu: 250m}
  - assert:
      kind: Deployment
      name: web
      status: {readyReplicas: 3, updatedReplicas: 3}
  - assert: {kind: Pod, selector: app=web, count: 3}
  - assert: {kind: Pod, name: web-0, absent: true}
  -
    run: kubectl get pods | wc -l
    expect: 3
    status: 0
  - run: kubectl get pods
    snapshot: after-update
    stderr: ""
    exact: true
    unordered: true
  - run: kubectl edit deployment web
    edit: {spec: {replicas: 5}}
"#;

#[test]
fn full_scenario() {
    let s = parse(FULL);
    assert_eq!(s.name, "ReplicaSet replaces a deleted pod");
    assert_eq!(s.description.as_deref(), Some("From \"Kubernetes in Action\", chapter 4.\n"));
    assert_eq!(s.kubernetes.as_deref(), Some("1.17.3"));
    assert_eq!(s.profile.git_version(), "v1.17.3");
    assert_eq!(s.seed, 7);
    assert_eq!(s.start.unwrap().to_string(), "2024-05-31T10:00:00Z");

    let master = &s.cluster.nodes[0];
    assert_eq!(master.name, "master");
    assert_eq!(master.roles, ["control-plane"]);
    assert_eq!(
        master.taints,
        [Taint {
            key: "node-role.kubernetes.io/control-plane".into(),
            value: None,
            effect: TaintEffect::NoSchedule
        }]
    );
    let worker = &s.cluster.nodes[1];
    assert_eq!(worker.labels.get("rack").map(String::as_str), Some("3"));
    let capacity: Vec<(&str, &str)> = worker.capacity.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    assert_eq!(capacity, [("cpu", "4"), ("memory", "8Gi"), ("pods", "110")]);

    assert_eq!(s.images.keys().collect::<Vec<_>>(), ["ksfzhaohui/batch-job", "nginx", "broken", "plain"]);
    assert_eq!(s.images["ksfzhaohui/batch-job"].exit, Some(Exit::After { after: 120_000, code: 0 }));
    let nginx = &s.images["nginx"];
    assert_eq!(
        *nginx,
        ImageBehaviour {
            pull: Some(Pull::After(1000)),
            start: Some(0),
            exit: Some(Exit::Never),
            terminate: Some(0),
            ready: Some(Ready::Always),
            live: Some(Live::Always),
            logs: Some(String::new()),
        }
    );
    let broken = &s.images["broken"];
    assert_eq!(broken.pull, Some(Pull::Error { after: Some(45_000) }));
    assert_eq!(broken.ready, Some(Ready::After(10_000)));
    assert_eq!(broken.live, Some(Live::FailAfter(5)));
    assert_eq!(s.images["plain"], ImageBehaviour::default());

    assert_eq!(s.files.keys().collect::<Vec<_>>(), ["rc.yaml", "https://example.com/pod.yaml"]);
    assert_eq!(s.files["rc.yaml"], "apiVersion: v1\nkind: ReplicationController\n");

    let lines: Vec<usize> = s.steps.iter().map(|step| step.line).collect();
    assert_eq!(lines, [38, 39, 43, 44, 45, 46, 47, 48, 49, 50, 51, 52, 56, 57, 59, 62, 67]);
    let keywords: Vec<&str> = s.steps.iter().map(|step| step.action.keyword()).collect();
    assert_eq!(
        keywords,
        [
            "note", "run", "wait", "at", "node", "node", "node", "node", "pod", "pod", "metrics", "assert",
            "assert", "assert", "run", "run", "run"
        ]
    );
    assert_eq!(s.steps[0].action, Action::Note("The ReplicaSet now adopts the three orphaned pods.".into()));
    let Action::Run(run) = &s.steps[1].action else { panic!() };
    assert_eq!(run.command, "kubectl get pods -o wide");
    assert_eq!(run.expect.as_deref(), Some("NAME          READY   STATUS\nkubia-[..]    1/1     Running\n"));
    assert_eq!(run.match_options(), MatchOptions::default());
    assert_eq!(s.steps[2].action, Action::Wait(30_000));
    assert_eq!(s.steps[3].action, Action::At(600_000));
    let mut worker2 = NodeSpec::named("worker2");
    worker2.labels.insert("disk".into(), "ssd".into());
    assert_eq!(s.steps[4].action, Action::Node(NodeAction::Add(worker2)));
    assert_eq!(s.steps[5].action, Action::Node(NodeAction::Down("worker1".into())));
    assert_eq!(s.steps[6].action, Action::Node(NodeAction::Up("worker1".into())));
    assert_eq!(s.steps[7].action, Action::Node(NodeAction::Remove("worker1".into())));
    assert_eq!(
        s.steps[8].action,
        Action::Pod(PodAction::Crash {
            target: PodTarget::Name("kubia-x7k2p".into()),
            exit_code: 1,
            container: None
        })
    );
    assert_eq!(
        s.steps[9].action,
        Action::Pod(PodAction::Crash {
            target: PodTarget::Selector("app=web".into()),
            exit_code: DEFAULT_CRASH_EXIT_CODE,
            container: Some("main".into())
        })
    );
    assert_eq!(
        s.steps[10].action,
        Action::Metrics(Metrics {
            selector: "app=php-apache".into(),
            cpu: "250m".into(),
            cpu_millicores: 250
        })
    );
    let Action::Assert(assert) = &s.steps[11].action else { panic!() };
    assert_eq!((assert.kind.as_str(), assert.name.as_deref()), ("Deployment", Some("web")));
    assert_eq!(
        serde_json::Value::Object(assert.fragment.clone()),
        serde_json::json!({"status": {"readyReplicas": 3, "updatedReplicas": 3}})
    );
    let Action::Assert(assert) = &s.steps[12].action else { panic!() };
    assert_eq!((assert.selector.as_deref(), assert.count), (Some("app=web"), Some(3)));
    let Action::Assert(assert) = &s.steps[13].action else { panic!() };
    assert!(assert.absent && assert.fragment.is_empty());
    let Action::Run(run) = &s.steps[14].action else { panic!() };
    assert_eq!((run.expect.as_deref(), run.status), (Some("3"), Some(0)));
    let Action::Run(run) = &s.steps[15].action else { panic!() };
    assert_eq!(run.snapshot.as_deref(), Some("after-update"));
    assert_eq!(run.stderr.as_deref(), Some(""));
    assert_eq!(run.match_options(), MatchOptions { exact: true, unordered: true });
    let Action::Run(run) = &s.steps[16].action else { panic!() };
    assert_eq!(run.edit, Some(serde_json::json!({"spec": {"replicas": 5}})));
}

#[test]
fn step_line_scan_agrees_with_locator() {
    let scanned = locate::sequence_item_lines(FULL, "steps").unwrap();
    let located: Vec<usize> = (0..scanned.len())
        .map(|i| {
            let path = [Seg::Key("steps".into()), Seg::Index(i)];
            locate::locate(FULL, &path, Target::Node).unwrap().line
        })
        .collect();
    assert_eq!(scanned, located);
}

#[test]
fn defaults() {
    let s = parse("steps: []\n");
    assert_eq!(s.name, "x");
    assert_eq!(s.description, None);
    assert_eq!(s.kubernetes, None);
    assert_eq!(s.profile.git_version(), "v1.33.0");
    assert_eq!(s.seed, 0);
    assert_eq!(s.start, None);
    assert_eq!(s.cluster.nodes, [NodeSpec::named("node-1")]);
    assert!(s.images.is_empty() && s.files.is_empty() && s.steps.is_empty());
    assert!(parse("steps:\n").steps.is_empty());
}

#[test]
fn node_shorthands() {
    let names = |text: &str| parse(text).cluster.nodes.into_iter().map(|n| n.name).collect::<Vec<_>>();
    assert_eq!(names("cluster:\n  nodes: 3\nsteps: []\n"), ["node-1", "node-2", "node-3"]);
    assert_eq!(names("cluster:\n  nodes: [a, b]\nsteps: []\n"), ["a", "b"]);
    assert_eq!(names("cluster:\n  nodes: []\nsteps: []\n"), Vec::<String>::new());
    assert_eq!(names("cluster: {}\nsteps: []\n"), ["node-1"]);
    let s = parse(
        "cluster:\n  nodes:\n    - {name: m, roles: master, taints: [\"k=v:NoExecute\", \"k2:NoSchedule\"]}\nsteps: []\n",
    );
    let node = &s.cluster.nodes[0];
    assert_eq!(node.roles, ["master"]);
    assert_eq!(
        node.taints,
        [
            Taint { key: "k".into(), value: Some("v".into()), effect: TaintEffect::NoExecute },
            Taint { key: "k2".into(), value: None, effect: TaintEffect::NoSchedule },
        ]
    );
}

#[test]
fn image_forms() {
    let image = |body: &str| parse(&format!("images:\n  i: {body}\nsteps: []\n")).images["i"].clone();
    assert_eq!(image("{pull: error}").pull, Some(Pull::Error { after: None }));
    assert_eq!(image("{pull: never}").pull, Some(Pull::Never));
    assert_eq!(image("{pull: {after: 2s}}").pull, Some(Pull::After(2000)));
    assert_eq!(image("{pull: {error: false, after: 2s}}").pull, Some(Pull::After(2000)));
    assert_eq!(image("{exit: {code: 3}}").exit, Some(Exit::After { after: 0, code: 3 }));
    assert_eq!(image("{ready: never}").ready, Some(Ready::Never));
    assert_eq!(image("{logs: 42}").logs.as_deref(), Some("42"));
    assert_eq!(image("{logs: \"a\\nb\"}").logs.as_deref(), Some("a\nb"));
}

#[test]
fn step_forms() {
    assert_eq!(action("steps:\n  - wait: 500ms\n"), Action::Wait(500));
    assert_eq!(action("steps:\n  - wait: 6d21h\n"), Action::Wait(6 * 86_400_000 + 21 * 3_600_000));
    assert_eq!(action("steps:\n  - wait: 0\n"), Action::Wait(0));
    assert_eq!(action("steps:\n  - note:\n"), Action::Note(String::new()));
    let Action::Run(run) = action("steps:\n  - run: kubectl get pods\n    expect:\n") else { panic!() };
    assert_eq!(run.expect.as_deref(), Some(""));
    let Action::Run(run) = action("steps:\n  - {run: echo 1.50, expect: 1.50}\n") else { panic!() };
    assert_eq!(run.expect.as_deref(), Some("1.50"), "a number is kept as written");
    let crash = |target: &str| match action(&format!("steps:\n  - pod: {{crash: \"{target}\"}}\n")) {
        Action::Pod(PodAction::Crash { target, .. }) => target,
        other => panic!("{other:?}"),
    };
    assert_eq!(crash("-lapp=web"), PodTarget::Selector("app=web".into()));
    assert_eq!(crash("--selector=app=web,tier=db"), PodTarget::Selector("app=web,tier=db".into()));
    assert_eq!(crash("--selector app=web"), PodTarget::Selector("app=web".into()));
    assert_eq!(crash("web-0"), PodTarget::Name("web-0".into()));
    let cpu = |q: &str| match action(&format!("steps:\n  - metrics: {{selector: a=b, cpu: {q}}}\n")) {
        Action::Metrics(m) => (m.cpu, m.cpu_millicores),
        other => panic!("{other:?}"),
    };
    assert_eq!(cpu("1"), ("1".into(), 1000));
    assert_eq!(cpu("0.5"), ("0.5".into(), 500));
    assert_eq!(cpu("\"1.25\""), ("1.25".into(), 1250));
    assert_eq!(cpu(".1"), (".1".into(), 100));
}

#[test]
fn step_lines_without_the_simple_layout() {
    let s = parse("steps: [{wait: 1s},\n  {wait: 2s}]\n");
    assert_eq!(s.steps.iter().map(|st| st.line).collect::<Vec<_>>(), [1, 2]);
    // A quoted scalar whose continuation looks like an item: the scan disagrees, the
    // locator is used instead.
    let s = parse("steps:\n- run: \"echo a\n- b\"\n- wait: 1s\n");
    assert_eq!(s.steps.iter().map(|st| st.line).collect::<Vec<_>>(), [2, 4]);
}

#[test]
fn bom_and_crlf() {
    let lines = |text: &str| parse(text).steps.iter().map(|st| st.line).collect::<Vec<_>>();
    assert_eq!(lines("\u{feff}steps:\n  - wait: 1s\n"), [2]);
    assert_eq!(lines("steps:\r\n  - wait: 1s\r\n\r\n  - wait: 2s\r\n"), [2, 4]);
    let e = parse_scenario(FILE, "steps:\r\n  - wait: 1s\r\n    expct: 1\r\n", "x").unwrap_err();
    assert_eq!((e.line, e.column), (3, 5));
}

#[test]
fn large_scenario_parses_quickly() {
    let mut text = String::from("steps:\n");
    for i in 0..3000 {
        text.push_str(&format!(
            "  - run: kubectl get pod p{i}\n    expect: |\n      NAME  READY\n      p{i}  1/1\n"
        ));
    }
    let start = std::time::Instant::now();
    let s = parse(&text);
    assert_eq!(s.steps.len(), 3000);
    assert_eq!(s.steps[2999].line, 2 + 4 * 2999);
    assert!(start.elapsed().as_secs() < 10, "took {:?}", start.elapsed());
}

#[test]
fn cpu_quantities() {
    for (text, want) in [("250m", Some(250)), ("1", Some(1000)), ("0.5", Some(500)), ("2.125", Some(2125))] {
        assert_eq!(cpu_millicores(text), want, "{text}");
    }
    for bad in ["", "m", "1.5m", "1e3", "0.0001", "abc", "1.2.3", "."] {
        assert_eq!(cpu_millicores(bad), None, "{bad}");
    }
}

/// Every error class: exact message with file, line and column.
#[test]
fn errors() {
    let cases: &[(&str, &str, &str)] = &[
        // Reading the file.
        ("empty file", "", "1:1: empty scenario file (expected at least a `steps:` list)"),
        ("only comments", "# nothing\n\n", "1:1: empty scenario file (expected at least a `steps:` list)"),
        (
            "bad YAML",
            "steps:\n  - run: [a\n",
            "3:1: invalid YAML: did not find expected ',' or ']', while parsing a flow sequence at line 2 column 10",
        ),
        (
            "bad indentation",
            "steps:\n  - run: a\n   wait: 1s\n",
            "3:4: invalid YAML: did not find expected '-' indicator, while parsing a block collection at line 2 column 3",
        ),
        (
            "tab",
            "steps:\n\t- run: a\n",
            "2:1: invalid YAML: found character that cannot start any token, while scanning for the next token",
        ),
        (
            "duplicate top-level key",
            "steps: []\nseed: 1\nsteps: []\n",
            "3:1: invalid YAML: duplicate entry with key \"steps\"",
        ),
        (
            "duplicate step key",
            "steps:\n  - run: a\n    status: 1\n    run: b\n",
            "4:5: invalid YAML: duplicate entry with key \"run\"",
        ),
        (
            "two documents",
            "steps: []\n---\nsteps: []\n",
            "2:1: invalid YAML: a scenario file holds one YAML document (found a `---` separator)",
        ),
        (
            "two documents, the first one marked",
            "# a comment\n---\nsteps: []\n...\n--- # second\nsteps: []\n",
            "5:1: invalid YAML: a scenario file holds one YAML document (found a `---` separator)",
        ),
        (
            "control character",
            "name: \"é\"\nsteps: []\n  \u{1}\n",
            "3:3: invalid YAML: control characters are not allowed",
        ),
        (
            "top level not a map",
            "- run: a\n",
            "1:1: expected a map of top-level keys (name, description, kubernetes, featureGates, seed, start, cluster, images, files, steps), got a list",
        ),
        ("missing steps", "name: x\n", "1:1: missing top-level key \"steps\" (the list of steps to run)"),
        // Unknown keys.
        (
            "unknown top-level key",
            "name: x\nstpes:\n  - wait: 1s\n",
            "2:1: unknown top-level key \"stpes\" (expected one of: name, description, kubernetes, featureGates, seed, start, cluster, images, files, steps)",
        ),
        (
            "unknown feature gate",
            "featureGates: {TTLAfterFinish: false}\nsteps:\n  - wait: 1s\n",
            "1:32: unknown feature gate \"TTLAfterFinish\" (supported: IndexedJob, JobReadyPods, PodIndexLabel, SuspendJob, TTLAfterFinished)",
        ),
        (
            "feature gate not a boolean",
            "featureGates: {TTLAfterFinished: off}\nsteps:\n  - wait: 1s\n",
            "1:34: TTLAfterFinished: expected true or false, got \"off\"",
        ),
        (
            "unknown run modifier",
            "steps:\n  - run: kubectl get pods\n    expct: |\n      foo\n",
            "3:5: unknown step key \"expct\" (expected one of: expect, snapshot, stderr, status, exact, unordered, edit)",
        ),
        (
            "unknown key without action",
            "steps:\n  - rn: kubectl get pods\n",
            "2:5: unknown step key \"rn\" (expected one of: run, wait, at, node, pod, metrics, assert, note, file)",
        ),
        (
            "unknown key on wait",
            "steps:\n  - wait: 1s\n    for: pods\n",
            "3:5: unknown step key \"for\" (a wait step takes no other keys)",
        ),
        (
            "modifier on another action",
            "steps:\n  - wait: 1s\n    expect: foo\n",
            "3:5: \"expect\" is not allowed on a wait step (only run takes modifiers)",
        ),
        (
            "unknown image key",
            "images:\n  nginx:\n    pul: 1s\nsteps: []\n",
            "3:5: unknown image key \"pul\" (expected one of: pull, start, exit, terminate, ready, live, logs)",
        ),
        (
            "unknown pull key",
            "images:\n  nginx: {pull: {eror: true}}\nsteps: []\n",
            "2:18: unknown pull key \"eror\" (expected one of: error, after)",
        ),
        (
            "unknown node key",
            "cluster:\n  nodes:\n    - name: a\n      lables: {x: y}\nsteps: []\n",
            "4:7: unknown node key \"lables\" (expected one of: name, roles, labels, taints, capacity)",
        ),
        (
            "unknown cluster key",
            "cluster:\n  node: 3\nsteps: []\n",
            "2:3: unknown cluster key \"node\" (expected one of: nodes, serviceSubnet)",
        ),
        (
            "unknown taint key",
            "cluster:\n  nodes:\n    - name: a\n      taints: [{key: k, efect: NoSchedule}]\nsteps: []\n",
            "4:25: unknown taint key \"efect\" (expected one of: key, value, effect)",
        ),
        (
            "unknown node step key",
            "steps:\n  - node: {add: w, lables: {}}\n",
            "2:20: unknown node key \"lables\" (expected one of: add, down, up, remove, labels, roles, taints, capacity)",
        ),
        (
            "unknown pod key",
            "steps:\n  - pod: {crash: a, code: 1}\n",
            "2:21: unknown pod key \"code\" (expected one of: crash, exitCode, container)",
        ),
        (
            "unknown metrics key",
            "steps:\n  - metrics: {selector: a=b, memory: 1Gi}\n",
            "2:30: unknown metrics key \"memory\" (expected one of: selector, cpu)",
        ),
        ("non-string key", "steps: []\n1: x\n", "2:1: expected a text key, got the number 1"),
        // Actions.
        (
            "no action",
            "steps:\n  - expect: foo\n",
            "2:5: step has no action (expected one of: run, wait, at, node, pod, metrics, assert, note, file)",
        ),
        (
            "empty step",
            "steps:\n  - {}\n",
            "2:5: step has no action (expected one of: run, wait, at, node, pod, metrics, assert, note, file)",
        ),
        (
            "two actions",
            "steps:\n  - run: kubectl get pods\n    wait: 1s\n",
            "3:5: step has two actions, \"run\" and \"wait\" (a step takes exactly one of: run, wait, at, node, pod, metrics, assert, note, file)",
        ),
        (
            "step not a map",
            "steps:\n  - kubectl get pods\n",
            "2:5: step: expected a map like `- run: kubectl get pods`, got \"kubectl get pods\"",
        ),
        ("steps not a list", "steps: {run: a}\n", "1:8: steps: expected a list of steps, got a map"),
        // Types and values.
        (
            "bad duration",
            "steps:\n  - wait: 3x\n",
            "2:11: wait: expected a duration like 30s, got \"3x\": unknown unit \"x\" (expected d, h, m, s or ms)",
        ),
        (
            "duration without unit",
            "steps:\n  - at: 30\n",
            "2:9: at: expected a duration like 30s, got the number 30 (add a unit: d, h, m, s or ms)",
        ),
        (
            "duration as list",
            "steps:\n  - wait: [1s]\n",
            "2:11: wait: expected a duration like 30s, got a list",
        ),
        (
            "bad image duration",
            "images:\n  nginx:\n    start: soon\nsteps: []\n",
            "3:12: start: expected a duration like 30s, got \"soon\": expected a number at \"soon\"",
        ),
        (
            "bad pull",
            "images:\n  nginx: {pull: sometimes}\nsteps: []\n",
            "2:17: pull: expected a duration like 1s, error, never or {error: true, after: 45s}, got \"sometimes\"",
        ),
        (
            "pull map without either",
            "images:\n  i: {pull: {error: false}}\nsteps: []\n",
            "2:13: pull: expected `error: true` or `after: DURATION`",
        ),
        (
            "bad exit",
            "images:\n  i: {exit: 3}\nsteps: []\n",
            "2:13: exit: expected never or {after: 30s, code: 0}, got the number 3",
        ),
        (
            "bad exit code",
            "images:\n  i: {exit: {code: 300}}\nsteps: []\n",
            "2:20: code: expected an exit code from 0 to 255, got the number 300",
        ),
        (
            "bad ready",
            "images:\n  i: {ready: sometimes}\nsteps: []\n",
            "2:14: ready: expected always, never or {after: 10s}, got \"sometimes\"",
        ),
        (
            "bad live",
            "images:\n  i: {live: never}\nsteps: []\n",
            "2:13: live: expected always or {failAfter: 5}, got \"never\"",
        ),
        (
            "image not a map",
            "images:\n  i: [a]\nsteps: []\n",
            "2:6: image: expected a map like {pull: 1s, exit: never}, got a list",
        ),
        (
            "unknown version",
            "kubernetes: \"1.99\"\nsteps: []\n",
            "1:13: unsupported Kubernetes version \"1.99\" (supported: 1.33, 1.22, 1.21, 1.17, 1.15)",
        ),
        (
            "version as number",
            "kubernetes: 1.33\nsteps: []\n",
            "1:13: kubernetes: expected a version in quotes like \"1.33\", got the number 1.33 (YAML reads an unquoted 1.20 as 1.2)",
        ),
        (
            "bad seed",
            "seed: -1\nsteps: []\n",
            "1:7: seed: expected a whole number from 0 to 18446744073709551615, got the number -1",
        ),
        (
            "bad start",
            "start: yesterday\nsteps: []\n",
            "1:8: start: expected a timestamp like 2024-05-31T10:00:00Z, got \"yesterday\"",
        ),
        ("empty name", "name: \"\"\nsteps: []\n", "1:7: name: expected the scenario's name, got \"\""),
        (
            "bad status",
            "steps:\n  - run: a\n    status: bad\n",
            "3:13: status: expected an exit code from 0 to 255, got \"bad\"",
        ),
        (
            "bad exact",
            "steps:\n  - run: a\n    expect: b\n    exact: yes\n",
            "4:12: exact: expected true or false, got \"yes\"",
        ),
        ("empty run", "steps:\n  - run:\n", "2:9: run: expected a command line, got nothing"),
        (
            "expect as map",
            "steps:\n  - run: a\n    expect: {a: b}\n",
            "3:13: expect: expected text, got a map",
        ),
        (
            "bad snapshot name",
            "steps:\n  - run: a\n    snapshot: a/b\n",
            "3:15: snapshot: expected a name of letters, digits, '.', '_' and '-', got \"a/b\"",
        ),
        (
            "duplicate snapshot",
            "steps:\n  - run: echo a\n    snapshot: s\n  - run: echo b\n    snapshot: s\n",
            "5:15: snapshot \"s\" is already used by the step at line 2",
        ),
        (
            "unordered without expect",
            "steps:\n  - run: a\n    unordered: true\n",
            "3:5: \"unordered\" has no effect without \"expect\" or \"stderr\"",
        ),
        (
            "ellipsis with unordered",
            "steps:\n  - run: a\n    unordered: true\n    expect: |\n      x\n      ...\n",
            "4:13: expect: `...` is not allowed with `unordered: true` (line 2 of the expectation)",
        ),
        (
            "edit needs kubectl edit",
            "steps:\n  - run: kubectl get pods\n    edit: {a: 1}\n",
            "3:5: \"edit\" is only allowed with `kubectl edit`",
        ),
        (
            "edit not a map",
            "steps:\n  - run: kubectl edit x\n    edit: 5\n",
            "3:11: edit: expected a map (the merge patch the editor applies), got the number 5",
        ),
        (
            "node step without action",
            "steps:\n  - node: {labels: {a: b}}\n",
            "2:11: node: expected one of add, down, up or remove",
        ),
        (
            "node step two actions",
            "steps:\n  - node: {down: a, up: a}\n",
            "2:21: node step has both \"down\" and \"up\" (it takes one of: add, down, up, remove)",
        ),
        (
            "labels with down",
            "steps:\n  - node: {down: a, labels: {}}\n",
            "2:21: \"labels\" is only allowed with \"add\"",
        ),
        (
            "node step not a map",
            "steps:\n  - node: worker1\n",
            "2:11: node: expected a map like {add: worker2}, got \"worker1\"",
        ),
        (
            "pod without crash",
            "steps:\n  - pod: {exitCode: 1}\n",
            "2:10: pod: expected {crash: POD} (crash is the only pod fault)",
        ),
        (
            "pod empty selector",
            "steps:\n  - pod: {crash: \"-l \"}\n",
            "2:18: crash: the selector after -l is empty",
        ),
        (
            "bad exit code on crash",
            "steps:\n  - pod: {crash: a, exitCode: -1}\n",
            "2:31: exitCode: expected an exit code from 0 to 255, got the number -1",
        ),
        (
            "metrics bad cpu",
            "steps:\n  - metrics: {selector: a=b, cpu: lots}\n",
            "2:35: cpu: expected a CPU quantity like 250m or 0.5, got \"lots\"",
        ),
        ("metrics missing cpu", "steps:\n  - metrics: {selector: a=b}\n", "2:14: metrics: missing \"cpu\""),
        ("assert without kind", "steps:\n  - assert: {name: a}\n", "2:13: assert: missing \"kind\""),
        (
            "assert name and selector",
            "steps:\n  - assert: {kind: Pod, name: a, selector: b=c}\n",
            "2:34: give \"name\" or \"selector\", not both",
        ),
        (
            "assert count with name",
            "steps:\n  - assert: {kind: Pod, name: a, count: 1}\n",
            "2:34: \"count\" goes with \"selector\" (or neither), not with \"name\"",
        ),
        (
            "assert absent with count",
            "steps:\n  - assert: {kind: Pod, absent: true, count: 0}\n",
            "2:39: \"absent: true\" and \"count\" exclude each other",
        ),
        (
            "assert absent with fields",
            "steps:\n  - assert: {kind: Pod, name: a, absent: true, status: {}}\n",
            "2:48: \"absent: true\" takes no object fields (found \"status\")",
        ),
        (
            "assert bad count",
            "steps:\n  - assert: {kind: Pod, count: many}\n",
            "2:32: count: expected a whole number from 0 to 18446744073709551615, got \"many\"",
        ),
        (
            "nodes bad type",
            "cluster:\n  nodes: lots\nsteps: []\n",
            "2:10: nodes: expected a list of nodes or a number of nodes, got \"lots\"",
        ),
        (
            "nodes too many",
            "cluster:\n  nodes: 100001\nsteps: []\n",
            "2:10: nodes: expected a whole number from 0 to 100000, got the number 100001",
        ),
        ("node without name", "cluster:\n  nodes:\n    - roles: [a]\n", "3:7: node: missing \"name\""),
        (
            "duplicate node",
            "cluster:\n  nodes:\n    - name: a\n    - name: a\nsteps: []\n",
            "4:13: duplicate node name \"a\"",
        ),
        (
            "bad taint effect",
            "cluster:\n  nodes:\n    - name: a\n      taints: [{key: k, effect: Never}]\nsteps: []\n",
            "4:33: effect: expected NoSchedule, PreferNoSchedule or NoExecute, got \"Never\"",
        ),
        (
            "bad taint string",
            "cluster:\n  nodes:\n    - name: a\n      taints: [\"k=v\"]\nsteps: []\n",
            "4:16: taint: expected KEY[=VALUE]:EFFECT or a map {key, value, effect}, got \"k=v\"",
        ),
        (
            "label value a map",
            "cluster:\n  nodes:\n    - {name: a, labels: {x: {y: z}}}\nsteps: []\n",
            "3:29: x: expected a text value, got a map",
        ),
        (
            "assert kind typo",
            "steps:\n  - assert: {kind: Deploymnt, name: web}\n",
            "2:20: kind: unknown kind \"Deploymnt\" (did you mean \"Deployment\"? the simulator serves: ConfigMap, ControllerRevision, CronJob, DaemonSet, Deployment, Endpoints, Event, HorizontalPodAutoscaler, Job, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, ReplicaSet, ReplicationController, Secret, Service, StatefulSet)",
        ),
        (
            "assert kind unknown",
            "steps:\n  - assert:\n      kind: Gizmo\n      count: 0\n",
            "3:13: kind: unknown kind \"Gizmo\" (the simulator serves: ConfigMap, ControllerRevision, CronJob, DaemonSet, Deployment, Endpoints, Event, HorizontalPodAutoscaler, Job, Namespace, Node, PersistentVolume, PersistentVolumeClaim, Pod, ReplicaSet, ReplicationController, Secret, Service, StatefulSet)",
        ),
        (
            "unsupported pipe stage",
            "steps:\n  - note: x\n  - run: kubectl get pods | sort\n    expect: \"\"\n",
            "3:10: run: unsupported pipe stage \"sort\": use `| grep [-v] [-i] [-E] PATTERN`, `| head [-n N]`, `| tail [-n N]` or `| wc -l`",
        ),
        (
            "unsupported program",
            "steps:\n  - {status: 0, run: \"ls -l\"}\n",
            "2:22: run: unsupported program \"ls\": a run step runs `kubectl …` or `echo …`",
        ),
        (
            "unbalanced quotes",
            "steps:\n  - run: |\n      kubectl get pods -l 'app=web\n",
            "2:10: run: unbalanced quotes in command line: kubectl get pods -l 'app=web",
        ),
        (
            "file not text",
            "files:\n  a.yaml: {kind: Pod}\nsteps: []\n",
            "2:11: a.yaml: expected the file's text (a block like `a.yaml: |`), got a map",
        ),
    ];
    let mut failures = Vec::new();
    for (name, text, want) in cases {
        let got = err(text);
        let want = format!("{FILE}:{want}");
        if got != want {
            failures.push(format!("{name}:\n  want {want}\n  got  {got}"));
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn assert_kinds() {
    // Served kinds as kubectl names them, and Kubernetes kinds not simulated yet (their
    // asserts fail at run time, not here).
    for kind in ["Pod", "pods", "po", "replicasets.apps", "Deployment", "deployment", "CronJob"] {
        let Action::Assert(assert) = action(&format!("steps:\n  - assert: {{kind: {kind}, count: 0}}\n"))
        else {
            panic!("{kind}: not an assert")
        };
        assert_eq!(assert.kind, kind);
    }
    assert_eq!(edit_distance("deploymnt", "deployment"), 1);
    assert_eq!(edit_distance("", "pod"), 3);
    assert_eq!(edit_distance("pod", "pod"), 0);
}

#[test]
fn error_fields_and_one_line() {
    let e = parse_scenario("a.yaml", "steps:\n  - wait: [\n", "a").unwrap_err();
    assert_eq!(e.file, "a.yaml");
    assert!(!e.to_string().contains('\n'));
    let e = parse_scenario("a.yaml", "steps:\n  - note: {x: 1}\n", "a").unwrap_err();
    assert_eq!((e.line, e.column, e.message.as_str()), (2, 11, "note: expected text, got a map"));
}

#[test]
fn never_panics_on_odd_input() {
    let inputs = [
        "~",
        "42",
        "\"text\"",
        "[]",
        "{}",
        "steps: 5",
        "steps: [5, null, [], {}]",
        "&a x",
        "*a",
        "!tag x",
        "steps: [!!str a]",
        "steps: [{run: !custom x}]",
        "? [a]\n: b\n",
        "steps:\n  - run: a\n    expect: !!binary aGk=\n",
        "a: &x 1\nb: *x\n",
        "<<: {steps: []}\n",
        "steps: [{node: {add: \"\"}}]",
        "\u{feff}steps: []",
        "steps:\r\n  - wait: 1s\r\n",
        "cluster:\n  nodes: -3\nsteps: []\n",
        "steps:\n- wait: 1s\n-\n- wait: 2s\n",
    ];
    for text in inputs {
        let _ = parse_scenario(FILE, text, "x");
    }
}

#[test]
fn service_subnet() {
    let s = parse("cluster:\n  serviceSubnet: 10.1.0.0/16\nsteps: []\n");
    assert_eq!(s.cluster.service_subnet, Some((u32::from_be_bytes([10, 1, 0, 0]), 16)));
    assert_eq!(s.cluster.nodes.len(), 1);
    let e = err("cluster:\n  serviceSubnet: banana\nsteps: []\n");
    assert!(e.contains("serviceSubnet: expected an IPv4 CIDR like 10.96.0.0/12, got \"banana\""), "{e}");
}
