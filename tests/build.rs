//! The happy paths of `build`, each on its own small fixture site.

mod common;

use common::SiteTest;

#[test]
fn pretty_urls_titles_descriptions_and_canonicals() {
    let site = SiteTest::fixture("minimal");
    site.build()
        .succeeds()
        .stderr_has("Built 1 pages in ")
        .stderr_has("→ public/");
    let html = site.read("public/a/index.html");
    assert!(html.starts_with("<!DOCTYPE html>\n<html lang=\"en\">"));
    assert!(html.contains("<title>A page | Fixture</title>"));
    assert!(html.contains("<meta name=\"description\" content=\"Just a page.\">"));
    assert!(html.contains("<link rel=\"canonical\" href=\"https://example.org/a/\">"));
    assert!(
        html.contains(
            "<h2 id=\"part-one\">Part one <a class=\"heading-anchor\" href=\"#part-one\""
        )
    );
    for file in [
        "index.html",
        "404.html",
        "sitemap.xml",
        "atom.xml",
        "robots.txt",
        "carebook.css",
    ] {
        assert!(site.exists(&format!("public/{file}")), "{file} missing");
    }
    // No conditions and no tags: no empty listings, and no links to them.
    assert!(!site.exists("public/conditions/index.html") && !site.exists("public/tags/index.html"));
    assert!(!html.contains("/conditions/") && !html.contains("/tags/"));
    assert!(
        site.read("public/robots.txt")
            .contains("Sitemap: https://example.org/sitemap.xml")
    );
    assert!(
        site.read("public/sitemap.xml")
            .contains("<loc>https://example.org/a/</loc>")
    );
}

#[test]
fn condition_pages_list_what_links_to_them_grouped_by_section() {
    let site = SiteTest::fixture("cross-links");
    site.build().succeeds();
    let sciatica = site.read("public/conditions/sciatica/index.html");
    // home-care lists sciatica in `conditions:`; it shows under its section,
    // which the default theme titles by what a reader wants to know.
    assert!(
        sciatica.contains("<h3 id=\"cb-from-treatments\">What helps</h3>"),
        "{sciatica}"
    );
    assert!(
        sciatica.contains(
            "<a href=\"/treatments/home-care/\">Home care</a><p>Look after yourself.</p>"
        )
    );
    // sciatica links to disc-herniation, so they are related both ways.
    assert!(sciatica.contains("Related conditions"));
    let disc = site.read("public/conditions/disc-herniation/index.html");
    assert!(
        disc.contains("<a href=\"/conditions/sciatica/\">Sciatica</a>"),
        "{disc}"
    );
    // Condition pages about this one join its related conditions.
    assert!(disc.contains("<h2 id=\"cb-related-conditions\">Related conditions</h2>"));
    assert!(disc.contains("<h3 id=\"cb-from-exercises\">Exercises</h3>"));
    assert!(disc.contains("<a href=\"/exercises/glute-bridge/\">Glute bridge</a>"));
    // Backlinks (condition pages show them grouped above instead), and the
    // `[[slug]]` link text is the target's title.
    let bridge = site.read("public/exercises/glute-bridge/index.html");
    assert!(bridge.contains("Pages that link here"), "{bridge}");
    assert!(bridge.contains("<a href=\"/treatments/home-care/\">Home care</a>"));
    assert!(sciatica.contains("<a href=\"/conditions/disc-herniation/\">Slipped disc</a>"));
}

#[test]
fn conditions_index_lists_lay_names_a_to_z() {
    let site = SiteTest::fixture("cross-links");
    site.build().succeeds();
    let index = site.read("public/conditions/index.html");
    let sciatica = index.find("Sciatica").expect("sciatica listed");
    let disc = index.find("Slipped disc").expect("slipped disc listed");
    assert!(sciatica < disc, "A–Z order");
    assert!(index.contains("Also called:</span> pain down my leg, lumbar radiculopathy"));
    assert!(index.contains("Also called:</span> slipped disc, herniated disc"));
}

#[test]
fn links_to_md_files_and_anchors_become_urls() {
    let site = SiteTest::fixture("cross-links");
    site.build().succeeds();
    let home_care = site.read("public/treatments/home-care/index.html");
    assert!(home_care.contains("<a href=\"/exercises/glute-bridge/#how-to-do-it\">the bridge</a>"));
    assert!(home_care.contains("Updated <time datetime=\"2026-03-04\">4 March 2026</time>"));
}

#[test]
fn tags_get_listing_pages() {
    let site = SiteTest::fixture("cross-links");
    site.build().succeeds();
    let tags = site.read("public/tags/index.html");
    assert!(
        tags.contains("<a href=\"/tags/discs/\">Discs <span class=\"tag-count\">(2<span class=\"visually-hidden\"> pages</span>)</span></a>"),
        "{tags}"
    );
    assert!(tags.contains("<a href=\"/tags/self-care/\">Self care <span class=\"tag-count\">(1<span class=\"visually-hidden\"> page</span>)</span></a>"));
    let discs = site.read("public/tags/discs/index.html");
    assert!(discs.contains("Home care") && discs.contains("Slipped disc"));
}

#[test]
fn exercise_pages_show_a_dose_card() {
    let site = SiteTest::fixture("cross-links");
    site.build().succeeds();
    let html = site.read("public/exercises/glute-bridge/index.html");
    assert!(html.contains("<dt>Sets</dt><dd><span class=\"dose-value\">3</span></dd>"));
    assert!(html.contains(
        "<dt>Hold</dt><dd><span class=\"dose-value\">5</span> <span class=\"dose-unit\">seconds</span></dd>"
    ));
}

#[test]
fn atom_feed_orders_by_updated_then_date() {
    let site = SiteTest::fixture("cross-links");
    site.build().succeeds();
    let feed = site.read("public/atom.xml");
    assert!(feed.contains("<updated>2026-03-04T00:00:00Z</updated>"));
    assert!(feed.contains("<published>2026-01-02T00:00:00Z</published>"));
    assert!(feed.contains("<link rel=\"alternate\" type=\"text/html\" href=\"https://example.org/treatments/home-care/\"/>"));
}

#[test]
fn base_url_with_a_path_prefixes_every_internal_url() {
    let site = SiteTest::fixture("base-path");
    site.build().succeeds();
    let a = site.read("public/a/index.html");
    assert!(a.contains("<a href=\"/guide/b/\">B</a>"), "{a}");
    assert!(a.contains("href=\"/guide/carebook.css\""));
    assert!(a.contains("<link rel=\"canonical\" href=\"https://example.org/guide/a/\">"));
    assert!(!a.contains("href=\"/a/\"") && !a.contains("href=\"/b/\""));
}

#[test]
fn base_url_and_output_dir_can_be_overridden() {
    let site = SiteTest::fixture("minimal");
    site.run(&[
        "build",
        "--base-url",
        "https://clinic.example/help",
        "--output-dir",
        "out",
    ])
    .succeeds()
    .stderr_has("→ out/");
    let html = site.read("out/a/index.html");
    assert!(html.contains("href=\"https://clinic.example/help/a/\""));
    assert!(html.contains("href=\"/help/carebook.css\""));
}

#[test]
fn drafts_are_left_out_unless_asked_for() {
    let site = SiteTest::fixture("drafts");
    site.build().succeeds().stderr_has("Built 1 pages");
    assert!(!site.exists("public/secret/index.html"));
    site.run(&["build", "--drafts"])
        .succeeds()
        .stderr_has("Built 2 pages");
    assert!(site.exists("public/secret/index.html"));
}

#[test]
fn a_link_to_a_draft_is_an_error_that_says_so() {
    let site = SiteTest::fixture("drafts").with_file(
        "content/a.md",
        "---\ntitle: A\n---\n\nSee [secret](secret.md).\n",
    );
    site.build()
        .fails()
        .stderr_has("content/a.md:5:14: error: link to a draft page: content/secret.md is a draft");
    site.run(&["build", "--drafts"]).succeeds();
}

#[test]
fn files_beside_pages_are_copied_and_linked() {
    let site = SiteTest::fixture("assets");
    site.build().succeeds();
    assert!(site.exists("public/conditions/spine.svg"));
    let html = site.read("public/conditions/sciatica/index.html");
    assert!(
        html.contains("<img src=\"/conditions/spine.svg\" alt=\"A drawing of the spine\""),
        "{html}"
    );
}

#[test]
fn a_missing_image_is_a_broken_link() {
    let site = SiteTest::fixture("assets").without("content/conditions/spine.svg");
    site.build().fails().stderr_has("content/conditions/sciatica.md:12:27: error: broken link: there is no file content/conditions/spine.svg");
}

#[test]
fn site_templates_and_static_files_override_the_theme_file_by_file() {
    let site = SiteTest::fixture("minimal")
        .with_file(
            "templates/404.html",
            "{% extends \"base.html\" %}{% block main %}<h1>Lost?</h1>{% endblock main %}",
        )
        .with_file("static/carebook.css", "body { color: red; }");
    site.build().succeeds();
    assert!(site.read("public/404.html").contains("<h1>Lost?</h1>"));
    assert_eq!(site.read("public/carebook.css"), "body { color: red; }");
    assert!(
        site.read("public/a/index.html").contains("<h1>A page</h1>"),
        "other templates still the theme's"
    );
}

#[test]
fn init_creates_a_site_that_builds_cleanly() {
    let dir = SiteTest::empty();
    dir.run(&["init", "clinic"]).succeeds();
    let run = dir
        .run(&["build", "--root", "clinic"])
        .succeeds()
        .stderr_has("Built 2 pages");
    assert!(!run.stderr.contains("warning"), "{}", run.stderr);
    let condition = dir.read("clinic/public/conditions/example-condition/index.html");
    assert!(
        condition.contains("Example treatment"),
        "the article links to the condition"
    );
    dir.run(&["check", "--root", "clinic"]).succeeds();
}

#[test]
fn init_refuses_a_non_empty_folder() {
    let site = SiteTest::fixture("minimal");
    site.run(&["init", "."])
        .exits_with(2)
        .stderr_has("error: refusing to create a site here: the folder is not empty");
    assert!(site.exists("content/a.md"));
}

#[test]
fn builds_are_deterministic() {
    let site = SiteTest::fixture("cross-links");
    site.run(&["build", "--output-dir", "one"]).succeeds();
    site.run(&["build", "--output-dir", "two"]).succeeds();
    for entry in walkdir::WalkDir::new(site.root().join("one")) {
        let entry = entry.unwrap();
        if entry.file_type().is_file() {
            let rel = entry.path().strip_prefix(site.root().join("one")).unwrap();
            assert_eq!(
                std::fs::read(entry.path()).unwrap(),
                std::fs::read(site.root().join("two").join(rel)).unwrap(),
                "{} differs",
                rel.display()
            );
        }
    }
}
