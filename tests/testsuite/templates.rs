//! A site's own templates on Tera 2: what an author upgrading from Tera 1 is told.

use crate::support::TestSite;

/// The built-in `index.html` and `macros.html` of statuspost before the move to
/// Tera 2, cut down: a site that copied them with `init --templates` has these.
const TERA_1_INDEX: &str = r#"{% extends "base.html" %}
{% import "macros.html" as m %}
{% block main %}
<ul class="components">
{% for group in groups %}{% for c in group.components %}<li>{{ c.name }}{{ m::status(s=c.status) }}</li>{% endfor %}{% endfor %}
</ul>
<p>{{ site.title | escape }}</p>
{% endblock main %}
"#;

const TERA_1_MACROS: &str = r#"{% macro status(s) %}<span class="status s-{{ s.key }}">{{ s.label }}</span>{% endmacro status %}
"#;

#[test]
fn a_tera_1_template_is_told_what_changed_at_each_line() {
    let site = TestSite::new();
    site.write("templates/index.html", TERA_1_INDEX);
    site.write("templates/macros.html", TERA_1_MACROS);
    for command in ["check", "build"] {
        let run = site
            .run(&[command, "--now", "2026-11-22T12:00:00Z"])
            .expect_code(2)
            .expect_stderr(
                "error: `import` is gone in Tera 2: components are available in every template\n  --> templates/index.html:2:4",
            )
            .expect_stderr("= help: delete this line and call the component as `{{ <NAME ARG={value} /> }}`")
            .expect_stderr(
                "error: `m::status(...)` calls a macro, and Tera 2 has components instead\n  --> templates/index.html:5:76",
            )
            .expect_stderr("= help: call it as `{{ <status ARG={value} /> }}`")
            .expect_stderr("error: the `escape` filter is `escape_html` in Tera 2\n  --> templates/index.html:7:20")
            .expect_stderr("error: macros are components in Tera 2\n  --> templates/macros.html:1:4")
            .expect_stderr("error: `endmacro` is `endcomponent` in Tera 2\n  --> templates/macros.html:1:80");
        assert!(!site.exists("site/index.html"), "{}", run.stderr());
    }
}

#[test]
fn a_site_base_without_a_block_its_pages_fill_is_told_how_to_add_it() {
    let site = TestSite::new();
    // A Tera 1 base.html could leave out blocks the pages fill; Tera 2 refuses.
    site.write(
        "templates/base.html",
        "<!DOCTYPE html>\n<html lang=\"en\"><head><title>{{ site.title }}</title></head>\n<body>{% block main %}{% endblock main %}</body></html>\n",
    );
    site.run(&["build", "--now", "2026-11-22T12:00:00Z"])
        .expect_code(2)
        .expect_stderr("error: Block `title` is not defined in any parent template\n  --> (built-in) 404.html:2:10")
        .expect_stderr("= help: in Tera 2 a page may fill only the blocks its parent defines: add `{% block NAME %}{% endblock NAME %}` where it belongs in your base.html");
}

#[test]
fn a_component_of_the_site_s_own_is_called_from_its_pages() {
    let site = TestSite::new();
    site.write(
        "templates/components.html",
        "{% component status(s) %}<b class=\"mine s-{{ s.key }}\">{{ s.label }}</b>{% endcomponent status %}\n\
         {% component time(t) %}<time datetime=\"{{ t.iso }}\">{{ t.full }}</time>{% endcomponent time %}\n\
         {% component impact(incident) %}{{ incident.impact_label }}{% endcomponent impact %}\n\
         {% component update(u, level, impact_is_now, components_are_now, next_update_by, promises = true) %}<li>{{ u.state_label }}</li>{% endcomponent update %}\n\
         {% component maintenance(mt, root, window, level = 3) %}<p>{{ mt.title }}</p>{% endcomponent maintenance %}\n",
    );
    site.build("2026-11-22T12:00:00Z");
    let page = site.read("site/index.html");
    assert!(page.contains("<b class=\"mine s-operational\">"), "{page}");
}

/// Issue 15.19: a template that is not UTF-8 exited 3, as if the machine had
/// failed; it is the author's to fix, with its place.
#[test]
fn a_template_that_is_not_utf8_is_invalid_content_with_its_place() {
    let site = TestSite::new();
    site.write(
        "templates/404.html",
        b"<p>ok</p>\n<p>caf\xe9</p>\n".as_slice(),
    );
    site.run(&["build", "--now", "2026-11-22T12:00:00Z"])
        .expect_code(2)
        .expect_stderr("invalid UTF-8 (byte 0xE9 at offset 16)")
        .expect_stderr("--> templates/404.html:2:7");
}

/// Issue 15.10: a template that includes itself, or a component that calls
/// itself, overflowed the stack (exit 134) on Tera 1; a loop that never ends
/// ran forever. On Tera 2 each fails with the template's name, exit 2.
#[test]
fn templates_that_recurse_or_never_end_fail_with_their_name() {
    let site = TestSite::new();
    site.write("templates/404.html", "{% include \"404.html\" %}");
    site.run(&["build", "--now", "2026-11-22T12:00:00Z"])
        .expect_code(2)
        .expect_stderr("404.html");

    let site = TestSite::new();
    site.write(
        "templates/components.html",
        format!(
            "{}\n{{% component again(n) %}}{{{{ <again n={{n}} /> }}}}{{% endcomponent again %}}\n",
            std::fs::read_to_string(concat!(
                env!("CARGO_MANIFEST_DIR"),
                "/templates/components.html"
            ))
            .unwrap()
        ),
    );
    site.write(
        "templates/404.html",
        "{% extends \"base.html\" %}{% block main %}{{ <again n={1} /> }}{% endblock main %}",
    );
    site.run(&["build", "--now", "2026-11-22T12:00:00Z"])
        .expect_code(2)
        .expect_stderr("error: rendering `404.html`: Maximum render recursion depth for components exceeded.\n  --> templates/404.html");

    let site = TestSite::new();
    site.write(
        "templates/404.html",
        "{% for i in range(end=100000) %}{% for j in range(end=100000) %}0123456789{% endfor %}{% endfor %}",
    );
    site.run(&["build", "--now", "2026-11-22T12:00:00Z"])
        .expect_code(2)
        .expect_stderr("--> templates/404.html")
        .expect_stderr("does a loop never end?");
}

/// Issue 14: `init --templates` in a site that exists copies the templates it
/// lacks, says which it kept, and never touches the site's own files.
#[test]
fn init_templates_in_an_existing_site_copies_only_what_is_missing() {
    let site = TestSite::new();
    site.write("templates/updates/resolved.md", "Our own resolved text.\n");
    site.write("templates/404.html", "<p>our own 404</p>\n");
    let config = site.read("statuspost.toml");
    let run = site.run(&["init", "--templates"]).success();
    let stderr = run.stderr();
    assert!(
        stderr.contains("kept templates/updates/resolved.md")
            && stderr.contains("kept templates/404.html"),
        "{stderr}"
    );
    assert!(stderr.contains("copied templates/index.html"), "{stderr}");
    assert!(
        stderr.contains("copied templates/updates/postmortem.md"),
        "{stderr}"
    );
    assert_eq!(
        site.read("templates/updates/resolved.md"),
        "Our own resolved text.\n"
    );
    assert_eq!(site.read("templates/404.html"), "<p>our own 404</p>\n");
    assert_eq!(site.read("statuspost.toml"), config);
    assert!(site.exists("templates/updates/maintenance/scheduled.md"));
    assert!(
        !site.exists("incidents"),
        "no example incident in a site that exists"
    );
    // Twice is harmless: nothing is left to copy.
    let again = site.run(&["init", "--templates"]).success();
    assert!(
        again.stderr().contains("nothing to copy"),
        "{}",
        again.stderr()
    );
    assert!(!again.stderr().contains("copied"), "{}", again.stderr());
    site.run(&["check", "--now", "2026-11-22T12:00:00Z"])
        .success();
}
