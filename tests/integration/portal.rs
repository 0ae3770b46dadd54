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
        // Tools: its `backstage.io/view-url`.
        ["About", "Tools", "Targets", "Entities it reads"]
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
    let svg = between(&html, "<svg class=\"graph\"", "</svg>");
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
    assert!(html.contains(
        "<td><a href=\"mailto:kenji.sato@acme-logistics.example\">kenji.sato@acme-logistics.example</a></td>"
    ));
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

/// The part of `html` from `start` to the next `end`.
fn between<'a>(html: &'a str, start: &str, end: &str) -> &'a str {
    let from = html.find(start).unwrap_or_else(|| panic!("no {start}"));
    let rest = &html[from..];
    &rest[..rest.find(end).map_or(rest.len(), |e| e + end.len())]
}

#[test]
fn entity_pages_open_with_a_header_then_problems_then_about_cards_and_tools() {
    let html = entity("component/shipment-tracker");
    let head = between(&html, "<header class=\"entity-head\"", "</header>");
    assert!(
        head.contains("<svg class=\"icon\""),
        "the kind's icon: {head}"
    );
    assert!(head.contains("<h1>Shipment Tracker</h1>"));
    assert!(head.contains("<code>component:default/shipment-tracker</code>"));
    assert!(head.contains(
        "<span class=\"fact\">Owner</span> <a href=\"../../../../catalog/default/group/shipping-team/index.html\">shipping-team</a>"
    ));
    assert!(head.contains("<span class=\"chip lifecycle-production\">production</span>"));
    assert!(head.contains("<span class=\"tag\">tier-1</span>"));
    // The about grid: Backstage's About card, with the system.
    let about = between(&html, "<dl class=\"about\">", "</dl>");
    assert!(about.contains("<div class=\"system\"><dt>System</dt><dd><a href=\"../../../../catalog/default/system/shipping/index.html\">shipping</a></dd></div>"), "{about}");
    // metadata.links with their icons.
    let links = between(about, "<ul class=\"links\">", "</ul>");
    assert_eq!(links.matches("<svg class=\"icon\"").count(), 3, "{links}");
    assert!(links.contains(
        "href=\"https://acme-logistics.slack.example/archives/C02SHIPPING\" rel=\"noopener\"><svg"
    ));
    // Tools: GitHub and SonarCloud linked by default, PagerDuty shown unlinked.
    let tools = between(&html, "<section aria-labelledby=\"tools\">", "</section>");
    assert!(tools.contains("<a class=\"head\" href=\"https://github.com/acme-logistics/shipment-tracker\" rel=\"noopener\">"));
    assert!(tools.contains(
        "<a class=\"head\" href=\"https://sonarcloud.io/dashboard?id=acme-logistics_shipment-tracker\" rel=\"noopener\">"
    ));
    assert!(tools.contains("<span class=\"head\"><svg"), "{tools}");
    assert!(tools.contains("<code title=\"pagerduty.com/service-id\">P7SHIPT</code>"));
    // A page with problems shows them first, as a banner.
    let mailer = entity("component/invoice-mailer");
    let banner = mailer
        .find("<section class=\"banner error\"")
        .expect("a banner");
    assert!(banner < mailer.find("<h2 id=\"about\">").unwrap());
    assert!(banner > mailer.find("</header>").unwrap());
}

#[test]
fn configured_annotation_links_link_their_cards_with_encoded_values() {
    let org = crate::support::Org::new();
    org.file(
        "repos/a/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata:\n  name: a\n  annotations:\n    pagerduty.com/service-id: \"P1/../x?y#z\"\n    acme.io/runbook: \"rb 1\"\n    grafana/dashboard-selector: \"tags @> 'a'\"\nspec: {type: service, lifecycle: production, owner: team}\n",
    );
    org.file(
        "portico.toml",
        "[site.annotation-links]\n\"pagerduty.com/service-id\" = \"https://acme.pagerduty.com/service-directory/{value}\"\n\"acme.io/runbook\" = \"https://runbooks.acme.example/{value}\"\n",
    );
    let run = org.run(&[
        "build",
        "repos",
        "--out",
        "site",
        "--config",
        "portico.toml",
    ]);
    assert!(run.code <= 1, "{}", run.stderr);
    let html = std::fs::read_to_string(
        org.path()
            .join("site/catalog/default/component/a/index.html"),
    )
    .unwrap();
    assert!(
        html.contains("href=\"https://acme.pagerduty.com/service-directory/P1/%2E%2E/x%3Fy%23z\""),
        "{html}"
    );
    assert!(html.contains("href=\"https://runbooks.acme.example/rb%201\""));
    assert!(html.contains("<span class=\"tool\">acme.io/runbook</span>"));
    // Grafana has no host until configured: a card without a link.
    assert!(
        html.contains("<code title=\"grafana/dashboard-selector\">tags @&gt; &#39;a&#39;</code>")
            || html.contains(
                "<code title=\"grafana/dashboard-selector\">tags @&gt; &#x27;a&#x27;</code>"
            ),
        "{html}"
    );
}

#[test]
fn api_descriptions_are_formatted_markdown() {
    let html = entity("api/payment-events");
    assert!(
        html.contains(
            "Messages are keyed by <code>payment_id</code>; consumers must be idempotent."
        ),
        "{html}"
    );
}

#[test]
fn group_and_user_pages_show_profiles_and_people_columns() {
    let team = entity("group/shipping-team");
    let head = between(&team, "<header class=\"entity-head\"", "</header>");
    // No picture: an avatar of initials, drawn in the page.
    assert!(head.contains("<svg class=\"avatar\""), "{head}");
    assert!(head.contains(
        "<a href=\"mailto:shipping@acme-logistics.example\">shipping@acme-logistics.example</a>"
    ));
    let members = between(&team, "<h2 id=\"members\">", "</section>");
    assert!(members.contains("<th scope=\"col\">Email</th><th scope=\"col\">Groups</th>"));
    assert!(!members.contains("Lifecycle"));
    assert!(
        members.contains("<span>Li Wei</span>"),
        "members by display name: {members}"
    );
    let count = between(&team, "<h2 id=\"members\">", "</h2>");
    let count: usize = count[count.find("count\">").unwrap() + 7..count.find("</span>").unwrap()]
        .parse()
        .unwrap();
    // The org page counts the same members.
    let org = page("org/index.html");
    assert!(
        org.contains(&format!(
            ">Shipping</a> <span class=\"meta\">{count} members"
        )),
        "{count}"
    );
    let parent = between(&team, "<h2 id=\"parent-group\">", "</section>");
    assert!(parent.contains("<th scope=\"col\">Type</th><th scope=\"col\">Members</th>"));
    let user = entity("user/kenji.sato");
    assert!(user.contains("<h2 id=\"groups\">"));
    assert!(
        between(&user, "<h2 id=\"groups\">", "</section>")
            .contains("<th scope=\"col\">Members</th>")
    );
    assert!(user.contains("<a href=\"mailto:kenji.sato@acme-logistics.example\">"));
}

#[test]
fn the_apis_and_docs_lists_are_in_the_top_navigation() {
    let home = page("index.html");
    let nav = between(&home, "<nav aria-label=\"Site\">", "</nav>");
    assert!(nav.contains("<a href=\"apis/index.html\">APIs</a>"));
    assert!(nav.contains("<a href=\"docs/index.html\">Docs</a>"));
    assert!(
        !nav.contains("catalog.json"),
        "downloads moved to the lists"
    );
    assert!(
        page("kinds/component/index.html")
            .contains("<a href=\"../../catalog.json\" download>JSON</a>")
    );
    let apis = page("apis/index.html");
    assert_eq!(apis.matches("<tr data-ref=\"api:").count(), 4);
    let row = between(
        &apis,
        "<tr data-ref=\"api:default/shipment-tracking-api\"",
        "</tr>",
    );
    assert!(row.contains(">Shipment Tracker</a>"), "provider: {row}");
    assert!(row.contains("<td>openapi</td>"));
    let docs = page("docs/index.html");
    let row = between(
        &docs,
        "<tr data-ref=\"component:default/shipment-tracker\"",
        "</tr>",
    );
    assert!(
        row.contains(
            "<a href=\"../docs/default/component/shipment-tracker/index.html\">Shipment Tracker</a>"
        ),
        "{row}"
    );
    assert!(row.contains("<td>6</td>"), "{row}");
    // example-org is read from plain folders here: no git, so no date, and
    // the cell says so rather than staying empty.
    assert!(docs.contains("<th scope=\"col\">Last updated</th>"));
    assert!(
        row.contains(
            "<td><span class=\"score\" title=\"no git history for these pages\">unknown</span></td>"
        ),
        "{row}"
    );
}

#[test]
fn list_rows_mark_entities_with_problems() {
    let home = page("index.html");
    let row = between(
        &home,
        "<tr data-ref=\"component:default/invoice-mailer\"",
        "</tr>",
    );
    assert!(row.contains("data-problems=\"error\""));
    assert!(row.contains("<a class=\"has-problems error\" href=\"catalog/default/component/invoice-mailer/index.html#problems\""), "{row}");
    let clean = between(
        &home,
        "<tr data-ref=\"component:default/shipment-tracker\"",
        "</tr>",
    );
    assert!(clean.contains("data-problems=\"\""));
    assert!(!clean.contains("has-problems"));
}

#[test]
fn graphs_have_arrowheads_two_hops_and_a_legend() {
    let html = entity("component/shipment-tracker");
    let graph = between(&html, "<section aria-labelledby=\"graph\">", "</section>");
    let one = between(graph, "<div class=\"graph-wrap depth-1\">", "</svg>");
    let edges = one.matches("<path d=").count();
    assert!(edges > 3);
    assert_eq!(
        one.matches("marker-end=\"url(#arrow-hop1)\"").count(),
        edges
    );
    let two = between(graph, "<div class=\"graph-wrap depth-2\">", "</svg>");
    // Two hops out: the owner's parent group.
    assert!(two.contains("class=\"node far\""), "{two}");
    assert!(two.contains("catalog/default/group/acme/index.html"));
    assert!(!one.contains("catalog/default/group/acme/index.html"));
    assert!(
        graph.contains("<input type=\"radio\" name=\"graph-depth\" id=\"graph-depth-1\" checked>")
    );
    assert!(graph.contains("<p class=\"legend\">"));
    // The system diagram leaves out the column it has nothing for.
    let system = entity("system/shipping");
    let svg = between(&system, "<svg class=\"graph system\"", "</svg>");
    assert!(!svg.contains(">Resources</text>") || svg.contains("catalog/default/resource/"));
    assert!(svg.contains("marker-end=\"url(#arrow-system)\""));
}

#[test]
fn graphs_find_neighbours_named_in_another_case() {
    // Refs find entities whatever the case of their names (Backstage
    // compares them case-insensitively): the owner named `Platform` is the
    // group `platform`, boxed with its page's link, and its own parent is
    // drawn two hops out, as for an owner named in the group's own case.
    let org = crate::support::Org::new();
    org.file(
        "repos/svc/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: svc}\nspec: {type: service, lifecycle: production, owner: Platform}\n---\napiVersion: backstage.io/v1alpha1\nkind: Component\nmetadata: {name: other}\nspec: {type: service, lifecycle: production, owner: platform}\n",
    );
    org.file(
        "repos/teams/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: platform}\nspec: {type: team, children: [], parent: engineering}\n---\napiVersion: backstage.io/v1alpha1\nkind: Group\nmetadata: {name: engineering}\nspec: {type: department, children: [platform]}\n",
    );
    let run = org.run(&["build", "repos", "--out", "site"]);
    assert_eq!(run.code, 0, "{}", run.stderr);
    let graph_of = |name: &str| {
        let html = std::fs::read_to_string(
            org.path()
                .join(format!("site/catalog/default/component/{name}/index.html")),
        )
        .unwrap();
        between(&html, "<section aria-labelledby=\"graph\">", "</section>").to_string()
    };
    for name in ["svc", "other"] {
        let graph = graph_of(name);
        let two = between(&graph, "<div class=\"graph-wrap depth-2\">", "</svg>");
        assert!(
            two.contains("catalog/default/group/platform/index.html"),
            "{name}: {two}"
        );
        assert!(
            two.contains("catalog/default/group/engineering/index.html"),
            "{name}: the owner's parent, two hops out: {two}"
        );
    }
}

#[test]
fn profile_pictures_and_emails_from_repositories_are_checked() {
    let org = crate::support::Org::new();
    org.file(
        "repos/people/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: pic}\nspec:\n  profile:\n    displayName: Ada Lovelace\n    picture: https://avatars.example/ada.png\n    email: ada@example.com\n  memberOf: []\n---\napiVersion: backstage.io/v1alpha1\nkind: User\nmetadata: {name: bad}\nspec:\n  profile:\n    displayName: Bad Actor\n    picture: \"javascript:alert(1)\"\n    email: \"a@example.com?bcc=everyone@example.com\"\n  memberOf: []\n",
    );
    let run = org.run(&["build", "repos", "--out", "site"]);
    assert!(run.code <= 1, "{}", run.stderr);
    let read = |name: &str| {
        std::fs::read_to_string(
            org.path()
                .join(format!("site/catalog/default/user/{name}/index.html")),
        )
        .unwrap()
    };
    let good = read("pic");
    assert!(good.contains(
        "<img class=\"avatar\" src=\"https://avatars.example/ada.png\" alt=\"\" width=\"44\" height=\"44\" loading=\"lazy\" referrerpolicy=\"no-referrer\">"
    ));
    assert!(good.contains("<h1>Ada Lovelace</h1>"));
    let bad = read("bad");
    assert!(!bad.contains("src=\"javascript:"), "no javascript: picture");
    assert!(bad.contains("<svg class=\"avatar\""));
    assert!(bad.contains(">BA</text>"), "initials instead");
    assert!(
        !bad.contains("mailto:"),
        "an address with a query is not linked"
    );
}

/// Every HTML page says what it is for search engines and link previews
/// (Lighthouse's SEO audit): an entity's own description, a docs site's
/// `site_description`, or the page and portal names; escaped, on one line.
#[test]
fn every_page_has_a_description() {
    let (site, _) = example_site();
    let mut pages = 0;
    for entry in walkdir(site) {
        if entry.extension().is_none_or(|e| e != "html") {
            continue;
        }
        let html = std::fs::read_to_string(&entry).unwrap();
        // Authors' own HTML files in docs folders keep their head; the
        // 404 page is not for search engines (`noindex`).
        if !html.contains("<header class=\"top\">") || html.contains("content=\"noindex\"") {
            continue;
        }
        pages += 1;
        let start = "<meta name=\"description\" content=\"";
        let description = between(&html, start, "\">");
        let description = &description[start.len()..description.len() - 2];
        assert!(
            !description.trim().is_empty() && !description.contains('\n'),
            "{}: {description:?}",
            entry.display()
        );
    }
    assert!(pages > 50, "{pages} pages");
    let component = entity("component/payment-gateway");
    assert!(
        component.contains("<meta name=\"description\" content=\"Authorises and captures card payments through our PSPs and emits payment events.\">"),
        "the entity's own description"
    );
    let docs = page("docs/default/component/payment-gateway/index.html");
    assert!(
        docs.contains("<meta name=\"description\" content=\"Operating the payment gateway and consuming payment events.\">"),
        "the docs site's site_description"
    );
}

/// What the script makes work is in the page from the first paint (so
/// nothing moves when the script runs) and hidden without JavaScript.
#[test]
fn script_only_controls_are_there_from_the_start_and_hidden_without_javascript() {
    let home = page("index.html");
    assert!(
        home.contains("<form class=\"search\" role=\"search\">"),
        "not hidden"
    );
    assert!(
        home.contains("<form class=\"filters\" aria-label"),
        "not hidden"
    );
    // The phones' "Filters" button and its folding menus too: made by the
    // script, they would move the list once it runs.
    let filters = between(&home, "<form class=\"filters\"", "</form>");
    assert!(
        filters.contains("<button type=\"button\" class=\"filters-more\" aria-expanded=\"false\">Filters</button>")
            && filters.contains("<label class=\"facet-menu\">kind <select"),
        "{filters}"
    );
    let noscript = between(&home, "<noscript><style>", "</style></noscript>");
    for hidden in ["form.search", "form.filters", ".docs-tools"] {
        assert!(noscript.contains(hidden), "{noscript}");
    }
    let docs = page("docs/default/component/payment-gateway/index.html");
    assert!(docs.contains("<div class=\"docs-tools\"></div>"));
}

fn walkdir(dir: &std::path::Path) -> Vec<std::path::PathBuf> {
    let mut files = Vec::new();
    for entry in std::fs::read_dir(dir).unwrap() {
        let path = entry.unwrap().path();
        if path.is_dir() {
            files.extend(walkdir(&path));
        } else {
            files.push(path);
        }
    }
    files
}

/// A kind's list is named by its first valid entity: a rejected `kind: Api`
/// read first does not title the list of APIs, nor the home page's count.
#[test]
fn a_kind_list_is_named_by_a_valid_entity() {
    let org = crate::support::Org::new();
    org.file(
        "repos/kc/catalog-info.yaml",
        "apiVersion: backstage.io/v1alpha1\nkind: Api\nmetadata: {name: bar}\nspec: {type: openapi, lifecycle: production, owner: x, definition: 'openapi: 3.0.0'}\n---\napiVersion: backstage.io/v1alpha1\nkind: API\nmetadata: {name: foo}\nspec: {type: openapi, lifecycle: production, owner: x, definition: 'openapi: 3.0.0'}\n",
    );
    let run = org.run(&["build", "repos", "--out", "site"]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    let list = std::fs::read_to_string(org.path().join("site/kinds/api/index.html")).unwrap();
    assert!(list.contains("<h1>API</h1>"), "{list}");
    let home = std::fs::read_to_string(org.path().join("site/index.html")).unwrap();
    assert!(home.contains("kinds/api/index.html\">API"), "{home}");
}
