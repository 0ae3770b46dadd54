//! The portal's pages on example-org's site: what each kind of entity page
//! shows, beyond the about card and the relations.

use crate::support::example_site;

fn page(path: &str) -> String {
    std::fs::read_to_string(example_site().0.join(path)).unwrap()
}

fn entity(kind_and_name: &str) -> String {
    page(&format!("catalog/default/{kind_and_name}/index.html"))
}

/// The `<h2>` titles of a page, in order (counts left out).
fn sections(html: &str) -> Vec<String> {
    html.split("<h2 id=\"")
        .skip(1)
        .map(|s| {
            let title = &s[s.find('>').unwrap() + 1..];
            title[..title.find('<').unwrap()].trim().to_string()
        })
        .collect()
}

#[test]
fn each_kind_shows_what_matters_for_it() {
    assert_eq!(
        sections(&entity("system/shipping")),
        [
            "About",
            "Graph",
            // The rollup of what is part of it, on the default scorecard.
            "Scorecards",
            "Diagram",
            "Components",
            "APIs",
            "Relations"
        ]
    );
    assert_eq!(
        sections(&entity("domain/logistics")),
        ["About", "Graph", "Scorecards", "Systems", "Relations"]
    );
    let team = entity("group/shipping-team");
    assert_eq!(
        sections(&team),
        [
            "About",
            "Graph",
            // The rollup of what the team owns, on the default scorecard.
            "Scorecards",
            "Parent group",
            "Members",
            "Owned APIs",
            "Owned Components",
            "Owned Domains",
            "Owned Systems",
            "Relations"
        ]
    );
    assert!(team.contains("<a href=\"../../../../catalog/default/user/li.wei/index.html\">"));
    assert_eq!(
        sections(&entity("user/kenji.sato")),
        ["About", "Graph", "Groups", "Relations"]
    );
    let template = entity("template/go-service");
    assert!(sections(&template).contains(&"Parameters".to_string()));
    assert!(template.contains("<li>Publish to GitHub <code>publish:github</code></li>"));
    assert_eq!(
        sections(&entity("location/acme-org")),
        ["About", "Targets", "Entities it reads"]
    );
    assert!(
        entity("location/acme-org").contains("Entities it reads <span class=\"count\">18</span>")
    );
}

#[test]
fn api_pages_render_their_definition() {
    let openapi = entity("api/shipment-tracking-api");
    assert!(openapi.contains("<h3>Operations</h3>"));
    assert!(openapi.contains(
        "<span class=\"method method-post\">POST</span> <code>/shipments</code> Create a shipment"
    ));
    assert!(
        openapi.contains("<summary><code>Shipment</code> allOf: NewShipment, object</summary>")
    );
    let asyncapi = entity("api/payment-events");
    assert!(asyncapi.contains("<strong>subscribe</strong> PaymentCaptured"));
    // Provided by and consumed by, with links to the components.
    assert!(openapi.contains("<h2 id=\"provided-by\">Provided by"));
    assert!(openapi.contains("href=\"../../../../catalog/default/component/shipment-tracker/index.html\">Shipment Tracker</a>"));
}

#[test]
fn entity_pages_draw_their_relations_graph() {
    let html = entity("component/shipment-tracker");
    let svg = &html[html.find("<svg class=\"graph\"").unwrap()..html.find("</svg>").unwrap()];
    assert!(svg.contains("aria-label=\"Relations of Shipment Tracker\""));
    // Owner on the left, provided API on the right, each a link.
    assert!(svg.contains(">ownedBy</text>"));
    assert!(
        svg.contains("href=\"../../../../catalog/default/api/shipment-tracking-api/index.html\"")
    );
    assert!(!svg.contains("<script"));
}

#[test]
fn the_org_page_has_the_group_tree_people_and_the_unowned() {
    let html = page("org/index.html");
    // acme is the root; the teams are below it, with counts.
    let acme = html.find(">Acme Logistics</a>").unwrap();
    let shipping = html.find(">Shipping</a>").unwrap();
    assert!(acme < shipping);
    assert!(html.contains(
        ">Shipping</a> <span class=\"meta\">3 members · owns API 2, Component 3, Domain 1, System 2</span>"
    ));
    assert!(html.contains("<td>kenji.sato@acme-logistics.example</td>"));
    // The one entity whose owner is missing (example-org's mistake 3).
    assert!(html.contains("Unowned <span class=\"count\">1</span>"));
    assert!(html.contains("owner group:default/ghost-team is not in the catalog"));
    // Every page links to it.
    assert!(page("index.html").contains("<a href=\"org/index.html\">Organisation</a>"));
}

#[test]
fn problems_are_grouped_by_owner_then_repository() {
    let html = page("problems/index.html");
    // A count per owner first, linking to the owner's section. The invalid
    // `Legacy Billing` document names payments-team as its owner, and the
    // broken docs link belongs to billing-exporter's owner, payments-team.
    assert!(html.contains(
        "<tr><td><a href=\"#owner-group_default.payments-team\">payments-team</a></td><td>3</td><td>1</td></tr>"
    ));
    assert!(!html.contains("(no owner)"), "every problem has an owner");
    let section = &html[html
        .find("<h2 id=\"owner-group_default.payments-team\">")
        .unwrap()..];
    assert!(section.starts_with(
        "<h2 id=\"owner-group_default.payments-team\">payments-team</h2><p class=\"meta\"><a href=\"../catalog/default/group/payments-team/index.html\">Group page</a></p><h3>legacy-billing</h3>"
    ));
    // Quoted values in messages are code, not literal backticks.
    assert!(section.contains("<code>metadata.name</code> &quot;Legacy Billing&quot; is not valid"));
    assert!(!section.contains('`'));
}

#[test]
fn system_pages_draw_their_parts_and_who_uses_what() {
    let html = entity("system/shipping");
    let svg = &html[html.find("<svg class=\"graph system\"").unwrap()..];
    let svg = &svg[..svg.find("</svg>").unwrap()];
    assert!(svg.contains("<title>Shipment Tracker providesApi Shipment Tracking API</title>"));
    assert!(svg.contains("<title>Shipment Tracker consumesApi Route Planning gRPC API</title>"));
    assert!(
        svg.contains("href=\"../../../../catalog/default/component/route-planner/index.html\"")
    );
}

#[test]
fn templates_of_every_generation_show_their_form() {
    let org = crate::support::Org::new();
    let corpus = crate::support::corpus_dir().join("backstage-templates");
    for name in [
        "conditional-parameters-demo",
        "docs-template",
        "pull-request",
    ] {
        let yaml = std::fs::read_to_string(corpus.join(name).join("template.yaml")).unwrap();
        org.file(&format!("repos/{name}/catalog-info.yaml"), &yaml);
    }
    let run = org.run(&["build", "repos", "--out", "site"]);
    assert!(run.code <= 1, "{}", run.stderr);
    let read = |name: &str| {
        std::fs::read_to_string(
            org.path()
                .join(format!("site/catalog/default/template/{name}/index.html")),
        )
        .unwrap()
    };
    // v1beta3: one table per form page, then the steps.
    let demo = read("conditional-parameters-demo");
    assert!(demo.contains("<h3>Choose Cloud Provider</h3>"));
    assert!(demo.contains("<code>debug:log</code>"));
    // v1alpha1: the single `schema` is the form.
    let docs = read("docs-template");
    assert!(
        docs.contains("<h2 id=\"parameters\">Parameters</h2>"),
        "{docs}"
    );
    assert!(docs.contains("<td>Name (component_id)</td><td>string</td><td>yes</td>"));
    assert!(read("pull-request").contains("<code>fetch:cookiecutter</code>"));
}

#[test]
fn the_home_page_lists_the_documentation_sites() {
    let html = page("index.html");
    assert!(html.contains("<summary>Documentation: "));
    assert!(html.contains(
        "<a href=\"docs/default/component/shipment-tracker/index.html\">Shipment Tracker</a> <span class=\"count\">6 pages</span>"
    ));
}
