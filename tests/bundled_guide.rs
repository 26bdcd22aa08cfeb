//! The bundled guide (the repo root is the example site): it builds with no
//! errors or warnings, every fixed slug exists with the right kind, it is
//! densely cross-linked, every clinical page carries its review fields, and
//! every internal link in the output resolves.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use carebook::build::{BuildOptions, validate_on};
use carebook::front_matter::Kind;
use carebook::site::Site;

const CONDITIONS: &[&str] = &[
    "disc-herniation",
    "sciatica",
    "facet-joint-irritation",
    "sacroiliac-joint-dysfunction",
    "lumbosacral-strain",
    "trigger-points",
    "hamstring-strain",
    "tendinopathy",
    "degenerative-disc-disease",
    "spinal-stress-fracture",
    "vertebral-compression-fracture",
    "spinal-stenosis",
    "spondylolisthesis",
];
const CAUSES: &[&str] = &[
    "training-load-and-overuse",
    "muscle-imbalances",
    "running-form-and-overstriding",
    "risk-factors",
    "running-and-your-discs",
];
const TREATMENTS: &[&str] = &[
    "physical-therapy-assessment",
    "exercise-therapy",
    "manual-therapy",
    "core-and-pelvic-floor-rehab",
    "home-care",
    "medical-treatment",
    "return-to-running",
    "gait-retraining",
];
const PREVENTION: &[&str] = &[
    "warm-up-and-cool-down",
    "training-load-rule",
    "footwear-and-surfaces",
    "strength-and-flexibility",
    "rest-and-recovery",
    "cross-training",
    "core-strength-test",
];
const EXERCISES: &[&str] = &[
    "glute-bridge",
    "clamshell",
    "plank",
    "side-plank",
    "russian-twist",
    "superman",
    "bird-dog",
    "fire-hydrant",
    "hamstring-wall-stretch",
    "piriformis-stretch",
    "pelvic-tilt",
    "lumbar-rotation",
    "hip-flexor-stretch",
];
const RED_FLAGS: &str = "when-to-see-a-doctor";

fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

fn bundled_site() -> Site {
    let options = BuildOptions {
        root: repo_root(),
        ..BuildOptions::default()
    };
    // A fixed day, so the review-date checks (warnings in a build) never rot.
    let today = "2026-11-23".parse().expect("a date");
    match validate_on(&options, today) {
        Ok(validated) => {
            let warnings: Vec<String> = validated.diagnostics.iter().map(|d| d.render()).collect();
            assert!(warnings.is_empty(), "warnings:\n{}", warnings.join("\n"));
            validated.site
        }
        Err(diagnostics) => panic!(
            "{}",
            diagnostics
                .iter()
                .map(|d| d.render())
                .collect::<Vec<_>>()
                .join("\n")
        ),
    }
}

fn page_index(site: &Site, slug: &str) -> usize {
    site.pages
        .iter()
        .position(|p| p.slug == slug)
        .unwrap_or_else(|| panic!("no page `{slug}`"))
}

#[test]
fn every_fixed_slug_exists_in_its_section_with_its_kind() {
    let site = bundled_site();
    let expected: &[(&str, &[&str], Kind)] = &[
        ("conditions", CONDITIONS, Kind::Condition),
        ("causes", CAUSES, Kind::Article),
        ("treatments", TREATMENTS, Kind::Article),
        ("prevention", PREVENTION, Kind::Article),
        ("exercises", EXERCISES, Kind::Exercise),
        (
            "",
            &["when-to-see-a-doctor", "running-with-back-pain"],
            Kind::Article,
        ),
        ("", &["about"], Kind::Page),
    ];
    let mut total = 0;
    for (section, slugs, kind) in expected {
        for slug in *slugs {
            let page = &site.pages[page_index(&site, slug)];
            assert_eq!(&page.section, section, "{slug}");
            assert_eq!(page.meta.kind, *kind, "{slug}");
            total += 1;
        }
    }
    assert_eq!(total, 49);
    assert_eq!(site.pages.len(), 49, "no pages beyond the fixed list");
}

#[test]
fn conditions_are_densely_linked_and_point_to_red_flags() {
    let site = bundled_site();
    let red_flags = page_index(&site, RED_FLAGS);
    for slug in CONDITIONS {
        let i = page_index(&site, slug);
        let inbound = site.graph.inbound[i].len();
        assert!(inbound >= 3, "{slug} has {inbound} inbound links");
        assert!(
            site.graph.outbound[i].contains(&red_flags),
            "{slug} does not link {RED_FLAGS}"
        );
        assert!(
            !site.pages[i].meta.also_called.is_empty(),
            "{slug} has no also_called"
        );
    }
}

#[test]
fn every_exercise_has_a_dose_and_is_linked_from_treatment_or_prevention() {
    let site = bundled_site();
    for slug in EXERCISES {
        let i = page_index(&site, slug);
        assert!(site.pages[i].meta.dose.is_some(), "{slug} has no dose");
        let from_advice = site.graph.inbound[i]
            .iter()
            .any(|&j| ["treatments", "prevention"].contains(&site.pages[j].section.as_str()));
        assert!(
            from_advice,
            "{slug} is linked from no treatment or prevention page"
        );
    }
}

#[test]
fn cause_treatment_and_prevention_pages_name_their_conditions() {
    let site = bundled_site();
    for slug in CAUSES.iter().chain(TREATMENTS).chain(PREVENTION) {
        let page = &site.pages[page_index(&site, slug)];
        assert!(
            !page.meta.conditions.is_empty(),
            "{slug} lists no conditions"
        );
    }
}

#[test]
fn clinical_pages_carry_review_fields_and_sources() {
    let site = bundled_site();
    for page in site.pages.iter().filter(|p| p.meta.kind != Kind::Page) {
        let m = &page.meta;
        let slug = &page.slug;
        assert!(
            m.summary.as_deref().is_some_and(|s| s.len() <= 200),
            "{slug}: summary missing or too long"
        );
        let (Some(reviewed), Some(due)) = (m.reviewed, m.review_due) else {
            panic!("{slug}: review dates missing");
        };
        assert!(
            due > reviewed && due.year - reviewed.year <= 3,
            "{slug}: review due within 3 years"
        );
        assert!(m.reviewed_by.is_some(), "{slug}: reviewed_by missing");
        assert!(!m.sources.is_empty(), "{slug}: no sources");
    }
}

#[test]
fn the_guide_builds_and_every_internal_link_resolves() {
    let out = tempfile::tempdir().unwrap();
    let output = out.path().join("public");
    let status = std::process::Command::new(env!("CARGO_BIN_EXE_carebook"))
        .args(["build", "--root"])
        .arg(repo_root())
        // 2026-11-23: the day review dates are counted from.
        .env("SOURCE_DATE_EPOCH", "1795392000")
        .arg("--output-dir")
        .arg(&output)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&status.stderr);
    assert!(status.status.success(), "{stderr}");
    assert!(stderr.starts_with("Built 49 pages in "), "{stderr}");
    assert!(!stderr.contains("warning"), "{stderr}");
    let mut checked = 0;
    for entry in walkdir::WalkDir::new(&output) {
        let entry = entry.unwrap();
        if entry.path().extension().is_some_and(|e| e == "html") {
            let html = std::fs::read_to_string(entry.path()).unwrap();
            checked += check_internal_links(&output, entry.path(), &html);
        }
    }
    assert!(checked > 1000, "only {checked} links checked");
}

/// Asserts every `href`/`src` starting with `/` names a file (and its `#id` exists); returns the count.
fn check_internal_links(output: &Path, file: &Path, html: &str) -> usize {
    let mut count = 0;
    for attr in ["href=\"/", "src=\""] {
        for (i, _) in html.match_indices(attr) {
            let start = i + attr.len() - usize::from(attr.ends_with('/'));
            let value = &html[start..start + html[start..].find('"').unwrap()];
            if !value.starts_with('/') || value.starts_with("//") {
                continue;
            }
            let (path, anchor) = value
                .split_once('#')
                .map_or((value, None), |(p, a)| (p, Some(a)));
            let mut target = output.join(path.trim_start_matches('/'));
            if path.ends_with('/') {
                target.push("index.html");
            }
            assert!(target.is_file(), "{}: broken link {value}", file.display());
            if let Some(anchor) = anchor {
                let target_html = std::fs::read_to_string(&target).unwrap();
                assert!(
                    target_html.contains(&format!("id=\"{anchor}\"")),
                    "{}: broken anchor {value}",
                    file.display()
                );
            }
            count += 1;
        }
    }
    let ids: Vec<&str> = html
        .match_indices(" id=\"")
        .map(|(i, _)| &html[i + 5..i + 5 + html[i + 5..].find('"').unwrap()])
        .collect();
    let unique: HashSet<&&str> = ids.iter().collect();
    assert_eq!(unique.len(), ids.len(), "{}: duplicate ids", file.display());
    count
}
