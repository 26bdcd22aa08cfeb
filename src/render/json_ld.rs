//! Structured data: the schema.org JSON-LD each HTML page embeds, built from
//! the same template contexts the theme sees.
//!
//! Every page gets one `@graph` holding the page itself, the `WebSite` and,
//! when `[clinic] name` is set, the clinic as an `Organization` (the
//! publisher). Clinical pages are `MedicalWebPage`s with `lastReviewed`,
//! `reviewedBy`, `medicalAudience` and a `breadcrumb`; a condition page is
//! `about` a `MedicalCondition`, an exercise page's `mainEntity` is an
//! `ExercisePlan`. Listings are `CollectionPage`s.
//!
//! Templates receive the graph pre-serialized by [`script_json`], safe to
//! print unescaped inside `<script type="application/ld+json">`.

use serde_json::{Map, Value, json};

use super::{LinkContext, PageContext, SectionContext};
use crate::config::Config;
use crate::front_matter::Kind;

/// What every graph needs to know about the site.
pub(super) struct SiteInfo<'a> {
    pub config: &'a Config,
    /// Scheme and host, without a trailing slash: `https://example.org`.
    pub origin: &'a str,
}

impl SiteInfo<'_> {
    fn absolute(&self, url: &str) -> String {
        format!("{}{url}", self.origin)
    }

    fn website_id(&self) -> String {
        format!("{}#website", self.config.base_url)
    }

    fn organization_id(&self) -> Option<String> {
        self.config
            .clinic
            .name
            .as_ref()
            .map(|_| format!("{}#organization", self.config.base_url))
    }

    /// The `WebSite` node and, with a clinic name, the `Organization` node.
    fn site_nodes(&self) -> Vec<Value> {
        let config = self.config;
        let mut website = object([
            ("@type", json!("WebSite")),
            ("@id", json!(self.website_id())),
            ("url", json!(config.base_url)),
            ("name", json!(config.title)),
            ("inLanguage", json!(config.language)),
        ]);
        insert_text(&mut website, "description", Some(&config.description));
        let mut nodes = Vec::new();
        if let Some(id) = self.organization_id() {
            website.insert("publisher".into(), json!({ "@id": id }));
            let clinic = &config.clinic;
            let mut org = object([("@type", json!("Organization")), ("@id", json!(id))]);
            insert_text(&mut org, "name", clinic.name.as_deref());
            insert_text(
                &mut org,
                "url",
                Some(clinic.url.as_deref().unwrap_or(&config.base_url)),
            );
            insert_text(&mut org, "telephone", clinic.phone.as_deref());
            insert_text(&mut org, "email", clinic.email.as_deref());
            insert_text(&mut org, "address", clinic.address.as_deref());
            nodes.push(Value::Object(org));
        }
        nodes.insert(0, Value::Object(website));
        nodes
    }

    /// Fields every page node shares: id, URL, name, language, site, publisher.
    fn page_node(
        &self,
        kind: &str,
        permalink: &str,
        name: &str,
        summary: Option<&str>,
    ) -> Map<String, Value> {
        let mut node = object([
            ("@type", json!(kind)),
            ("@id", json!(format!("{permalink}#webpage"))),
            ("url", json!(permalink)),
            ("name", json!(name)),
            ("inLanguage", json!(self.config.language)),
            ("isPartOf", json!({ "@id": self.website_id() })),
        ]);
        insert_text(&mut node, "description", summary);
        if let Some(id) = self.organization_id() {
            node.insert("publisher".into(), json!({ "@id": id }));
        }
        node
    }

    /// Home › … › this page, every item with an absolute URL.
    fn breadcrumb(&self, crumbs: &[LinkContext], name: &str, permalink: &str) -> Value {
        let items: Vec<Value> = crumbs
            .iter()
            .map(|c| (c.title.as_str(), self.absolute(&c.url)))
            .chain(std::iter::once((name, permalink.to_string())))
            .enumerate()
            .map(|(i, (title, url))| {
                json!({ "@type": "ListItem", "position": i + 1, "name": title, "item": url })
            })
            .collect();
        json!({ "@type": "BreadcrumbList", "itemListElement": items })
    }

    fn graph(&self, page: Map<String, Value>) -> Value {
        let mut nodes = vec![Value::Object(page)];
        nodes.extend(self.site_nodes());
        json!({ "@context": "https://schema.org", "@graph": nodes })
    }
}

/// The graph of a page: `MedicalWebPage` for clinical kinds, else `WebPage`.
pub(super) fn page(site: &SiteInfo, page: &PageContext) -> Value {
    let kind = if page.clinical {
        "MedicalWebPage"
    } else {
        "WebPage"
    };
    let mut node = site.page_node(kind, &page.permalink, page.title, page.summary);
    if let Some(date) = &page.date {
        node.insert("datePublished".into(), json!(date.iso));
    }
    if let Some(date) = page.updated.as_ref().or(page.date.as_ref()) {
        node.insert("dateModified".into(), json!(date.iso));
    }
    if page.clinical {
        node.insert("medicalAudience".into(), json!({ "@type": "Patient" }));
        if let Some(date) = &page.reviewed {
            node.insert("lastReviewed".into(), json!(date.iso));
        }
        if let Some(name) = page.reviewed_by {
            node.insert(
                "reviewedBy".into(),
                json!({ "@type": "Person", "name": name }),
            );
        }
        let citations: Vec<Value> = page
            .sources
            .iter()
            .map(|s| {
                let mut work = object([("@type", json!("CreativeWork")), ("name", json!(s.title))]);
                insert_text(&mut work, "url", s.url.as_deref());
                Value::Object(work)
            })
            .collect();
        if !citations.is_empty() {
            node.insert("citation".into(), Value::Array(citations));
        }
    }
    let about: Vec<Value> = if page.kind == Kind::Condition {
        let mut condition = object([
            ("@type", json!("MedicalCondition")),
            ("name", json!(page.title)),
            ("url", json!(page.permalink)),
        ]);
        if !page.also_called.is_empty() {
            condition.insert("alternateName".into(), json!(page.also_called));
        }
        insert_text(&mut condition, "description", page.summary);
        vec![Value::Object(condition)]
    } else {
        page.conditions
            .iter()
            .map(|c| {
                json!({ "@type": "MedicalCondition", "name": c.title, "url": site.absolute(&c.url) })
            })
            .collect()
    };
    match about.len() {
        0 => {}
        1 => {
            node.insert("about".into(), about.into_iter().next().unwrap_or_default());
        }
        _ => {
            node.insert("about".into(), Value::Array(about));
        }
    }
    if page.kind == Kind::Exercise {
        node.insert("mainEntity".into(), exercise_plan(page));
    }
    node.insert(
        "breadcrumb".into(),
        site.breadcrumb(&page.breadcrumbs, page.title, &page.permalink),
    );
    site.graph(node)
}

/// An exercise page's `ExercisePlan`, with its dose where the page gives one.
fn exercise_plan(page: &PageContext) -> Value {
    let mut plan = object([
        ("@type", json!("ExercisePlan")),
        ("name", json!(page.title)),
        ("url", json!(page.permalink)),
    ]);
    insert_text(&mut plan, "description", page.summary);
    if !page.also_called.is_empty() {
        plan.insert("alternateName".into(), json!(page.also_called));
    }
    if let Some(dose) = page.dose {
        if let Some(reps) = dose.reps {
            plan.insert("repetitions".into(), json!(reps));
        }
        if let Some(seconds) = dose.hold_seconds {
            plan.insert(
                "activityDuration".into(),
                json!({ "@type": "QuantitativeValue", "value": seconds, "unitCode": "SEC" }),
            );
        }
        if let Some(sets) = dose.sets {
            plan.insert(
                "additionalVariable".into(),
                json!(format!("{sets} {}", if sets == 1 { "set" } else { "sets" })),
            );
        }
        if let Some(times) = dose.per_week {
            let frequency = if times == 1 {
                "once a week".to_string()
            } else {
                format!("{times} times a week")
            };
            plan.insert("activityFrequency".into(), json!(frequency));
        }
    }
    Value::Object(plan)
}

/// The graph of a listing: the home page is a `WebPage`, the others `CollectionPage`s.
/// `name` stands in for an empty title (a tag page's `Topic: …`).
pub(super) fn section(
    site: &SiteInfo,
    section: &SectionContext,
    name: Option<&str>,
    is_home: bool,
) -> Value {
    let kind = if is_home { "WebPage" } else { "CollectionPage" };
    let name = match name {
        Some(name) => name,
        None if section.title.is_empty() => site.config.title.as_str(),
        None => section.title,
    };
    let mut node = site.page_node(kind, &section.permalink, name, section.summary);
    if !is_home {
        node.insert(
            "breadcrumb".into(),
            site.breadcrumb(&section.breadcrumbs, name, &section.permalink),
        );
    }
    site.graph(node)
}

/// Serializes `value` for a `<script type="application/ld+json">` element:
/// `<`, `>` and `&` become `\u003c`, `\u003e` and `\u0026`, so no text in the
/// data can close the script or open a comment; U+2028 and U+2029 are escaped too.
pub(super) fn script_json(value: &Value) -> String {
    let text = value.to_string();
    let mut out = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '<' => out.push_str("\\u003c"),
            '>' => out.push_str("\\u003e"),
            '&' => out.push_str("\\u0026"),
            '\u{2028}' => out.push_str("\\u2028"),
            '\u{2029}' => out.push_str("\\u2029"),
            c => out.push(c),
        }
    }
    out
}

fn object<const N: usize>(pairs: [(&str, Value); N]) -> Map<String, Value> {
    pairs.into_iter().map(|(k, v)| (k.to_string(), v)).collect()
}

/// Inserts `key` only for a non-empty value.
fn insert_text(map: &mut Map<String, Value>, key: &str, value: Option<&str>) {
    if let Some(v) = value.map(str::trim).filter(|v| !v.is_empty()) {
        map.insert(key.to_string(), json!(v));
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::date::Date;
    use crate::diagnostic::SourceFile;
    use crate::front_matter::{Dose, SourceRef};

    fn config(clinic: bool) -> Config {
        let mut text = String::from(
            "title = \"Back Guide\"\nbase_url = \"https://example.org/guide/\"\ndescription = \"Help.\"\n",
        );
        if clinic {
            text.push_str(
                "[clinic]\nname = \"Clinic\"\nphone = \"+1 555\"\naddress = \"1 Street\"\n",
            );
        }
        Config::parse(SourceFile::new("site.toml", text)).expect("valid config")
    }

    fn link(title: &str, url: &str) -> LinkContext {
        LinkContext {
            title: title.to_string(),
            url: url.to_string(),
            summary: None,
            kind: None,
            also_called: Vec::new(),
        }
    }

    fn date(text: &str) -> Option<super::super::DateContext> {
        Some(text.parse::<Date>().expect("a date").into())
    }

    fn test_page<'a>(
        kind: Kind,
        also_called: &'a [String],
        sources: &'a [SourceRef],
        dose: Option<&'a Dose>,
    ) -> PageContext<'a> {
        PageContext {
            title: "Sciatica",
            summary: Some("Leg pain </script><!-- & more"),
            kind,
            kind_label: "",
            clinical: kind != Kind::Page,
            slug: "sciatica",
            url: "/guide/conditions/sciatica/".to_string(),
            permalink: "https://example.org/guide/conditions/sciatica/".to_string(),
            content: "",
            toc: &[],
            also_called,
            tags: Vec::new(),
            reviewed: date("2026-11-01"),
            review_due: date("2027-11-01"),
            reviewed_by: Some("Jordan Lee, DPT"),
            sources,
            date: date("2026-10-15"),
            updated: None,
            dose,
            extra: &super::super::EMPTY_MAP,
            conditions: vec![
                link("Slipped disc", "/guide/conditions/disc/"),
                link("Stenosis", "/guide/conditions/stenosis/"),
            ],
            linked_from: Vec::new(),
            related_conditions: Vec::new(),
            backlinks: Vec::new(),
            breadcrumbs: vec![
                link("Home", "/guide/"),
                link("Conditions", "/guide/conditions/"),
            ],
            json_ld: String::new(),
        }
    }

    fn node<'v>(graph: &'v Value, kind: &str) -> Option<&'v Value> {
        graph["@graph"]
            .as_array()?
            .iter()
            .find(|n| n["@type"] == kind)
    }

    #[test]
    fn a_condition_page_is_a_medical_web_page_about_a_medical_condition() {
        let config = config(true);
        let site = SiteInfo {
            config: &config,
            origin: "https://example.org",
        };
        let names = vec!["pain down my leg".to_string()];
        let sources = vec![
            SourceRef {
                title: "Study".into(),
                url: None,
            },
            SourceRef {
                title: "Physiopedia".into(),
                url: Some("https://physio-pedia.com/".into()),
            },
        ];
        let graph = page(&site, &test_page(Kind::Condition, &names, &sources, None));
        assert_eq!(graph["@context"], "https://schema.org");
        let web = node(&graph, "MedicalWebPage").expect("a MedicalWebPage");
        assert_eq!(
            web["@id"],
            "https://example.org/guide/conditions/sciatica/#webpage"
        );
        assert_eq!(web["lastReviewed"], "2026-11-01");
        assert_eq!(
            web["reviewedBy"],
            json!({ "@type": "Person", "name": "Jordan Lee, DPT" })
        );
        assert_eq!(web["medicalAudience"], json!({ "@type": "Patient" }));
        assert_eq!(web["datePublished"], "2026-10-15");
        assert_eq!(web["dateModified"], "2026-10-15");
        assert_eq!(
            web["about"],
            json!({
                "@type": "MedicalCondition",
                "name": "Sciatica",
                "url": "https://example.org/guide/conditions/sciatica/",
                "alternateName": ["pain down my leg"],
                "description": "Leg pain </script><!-- & more",
            })
        );
        assert_eq!(
            web["citation"][1],
            json!({ "@type": "CreativeWork", "name": "Physiopedia", "url": "https://physio-pedia.com/" })
        );
        let crumbs: Vec<(&Value, &Value)> = web["breadcrumb"]["itemListElement"]
            .as_array()
            .unwrap()
            .iter()
            .map(|i| (&i["position"], &i["item"]))
            .collect();
        assert_eq!(
            crumbs,
            [
                (&json!(1), &json!("https://example.org/guide/")),
                (&json!(2), &json!("https://example.org/guide/conditions/")),
                (
                    &json!(3),
                    &json!("https://example.org/guide/conditions/sciatica/")
                ),
            ]
        );
        let org = node(&graph, "Organization").expect("the clinic");
        assert_eq!(org["name"], "Clinic");
        assert_eq!(org["telephone"], "+1 555");
        assert_eq!(
            org["url"], "https://example.org/guide/",
            "falls back to base_url"
        );
        assert_eq!(web["publisher"]["@id"], org["@id"]);
        assert_eq!(
            node(&graph, "WebSite").unwrap()["publisher"]["@id"],
            org["@id"]
        );
    }

    #[test]
    fn an_exercise_page_has_an_exercise_plan_and_is_about_its_conditions() {
        let config = config(true);
        let site = SiteInfo {
            config: &config,
            origin: "https://example.org",
        };
        let dose = Dose {
            sets: Some(3),
            reps: Some(10),
            hold_seconds: Some(5),
            per_week: Some(1),
        };
        let graph = page(&site, &test_page(Kind::Exercise, &[], &[], Some(&dose)));
        let web = node(&graph, "MedicalWebPage").unwrap();
        assert_eq!(
            web["mainEntity"],
            json!({
                "@type": "ExercisePlan",
                "name": "Sciatica",
                "url": "https://example.org/guide/conditions/sciatica/",
                "description": "Leg pain </script><!-- & more",
                "repetitions": 10,
                "activityDuration": { "@type": "QuantitativeValue", "value": 5, "unitCode": "SEC" },
                "additionalVariable": "3 sets",
                "activityFrequency": "once a week",
            })
        );
        assert_eq!(
            web["about"][1],
            json!({ "@type": "MedicalCondition", "name": "Stenosis", "url": "https://example.org/guide/conditions/stenosis/" })
        );
    }

    #[test]
    fn a_plain_page_is_a_web_page_without_medical_fields_and_no_clinic_means_no_publisher() {
        let config = config(false);
        let site = SiteInfo {
            config: &config,
            origin: "https://example.org",
        };
        let graph = page(&site, &test_page(Kind::Page, &[], &[], None));
        let web = node(&graph, "WebPage").expect("a WebPage");
        for key in [
            "medicalAudience",
            "lastReviewed",
            "reviewedBy",
            "publisher",
            "mainEntity",
        ] {
            assert!(web.get(key).is_none(), "{key} on a plain page");
        }
        assert!(node(&graph, "Organization").is_none());
        assert!(node(&graph, "WebSite").unwrap().get("publisher").is_none());
    }

    #[test]
    fn script_json_cannot_close_the_script_and_still_parses_to_the_same_value() {
        let value = json!({ "text": "a </script><!-- b & c \u{2028} d > e" });
        let text = script_json(&value);
        for bad in ['<', '>', '&', '\u{2028}'] {
            assert!(!text.contains(bad), "{bad:?} in {text}");
        }
        assert!(text.contains("\\u003c/script\\u003e"));
        assert_eq!(serde_json::from_str::<Value>(&text).unwrap(), value);
    }
}
