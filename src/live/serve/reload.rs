//! What a served page gets that the page on disk never has: the script that
//! reloads it after a rebuild, and the banner over it while the latest build failed.

use crate::templates::escape;

/// Where the reload script waits for the next build.
pub(super) const WAIT_PATH: &str = "/__statuspost/wait";

/// Adds the reload script, and the error banner while the latest build failed,
/// just before `</body>` (or at the end of a page without one).
pub(super) fn decorate(html: &[u8], version: u64, problem: Option<&str>) -> Vec<u8> {
    // Published pages forbid scripts; the preview's own reload script needs that lifted.
    let without_policy = remove_csp_meta(html);
    let html = without_policy.as_slice();
    let mut extra = String::new();
    if let Some(problem) = problem {
        extra.push_str(&overlay(problem));
    }
    extra.push_str(&reload_script(version));
    let at = find_body_end(html).unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + extra.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

/// Removes the `<meta http-equiv="Content-Security-Policy" ...>` element, if any.
fn remove_csp_meta(html: &[u8]) -> Vec<u8> {
    let text = String::from_utf8_lossy(html);
    let lower = text.to_ascii_lowercase();
    let Some(at) = lower.find("content-security-policy") else {
        return html.to_vec();
    };
    let (Some(start), Some(end)) = (
        lower[..at].rfind("<meta"),
        lower[at..].find('>').map(|e| at + e + 1),
    ) else {
        return html.to_vec();
    };
    let mut out = text[..start].to_string();
    out.push_str(&text[end..]);
    out.into_bytes()
}

fn find_body_end(html: &[u8]) -> Option<usize> {
    const END: &[u8] = b"</body>";
    html.windows(END.len())
        .rposition(|w| w.eq_ignore_ascii_case(END))
}

/// Polls for the next build and reloads when it comes. After losing the server
/// (restarted, say) it reloads on the first answer, whatever the version.
fn reload_script(version: u64) -> String {
    format!(
        "<script>/* statuspost serve: reloads this page after every rebuild */\
         (()=>{{const v=\"{version}\";let lost=false;\
         const poll=()=>fetch(\"{WAIT_PATH}?version=\"+v,{{cache:\"no-store\"}})\
         .then(r=>{{if(!r.ok)throw r;return r.text()}})\
         .then(t=>{{if(lost||t.trim()!==v)location.reload();else poll()}},\
         ()=>{{lost=true;setTimeout(poll,1000)}});poll()}})();</script>"
    )
}

/// The latest build's error, over the last good page, until a build succeeds.
fn overlay(problem: &str) -> String {
    format!(
        "<div id=statuspost-error role=alert style=\"position:fixed;top:0;left:0;right:0;\
         max-height:70vh;overflow:auto;z-index:2147483647;margin:0;padding:1em 1.25em;\
         background:#2b0b0e;color:#ffe5e5;border-bottom:4px solid #e5484d;\
         font:14px/1.45 ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;text-align:left\">\
         <strong>The site has errors: this is the last good build. \
         It reloads by itself when they are fixed.</strong>\
         <pre style=\"white-space:pre-wrap;margin:.75em 0 0;font:inherit;color:inherit;background:none\">{}</pre></div>",
        escape(problem)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    fn decorated(html: &str, problem: Option<&str>) -> String {
        String::from_utf8(decorate(html.as_bytes(), 7, problem)).expect("UTF-8")
    }

    #[test]
    fn the_script_goes_before_the_last_body_end() {
        let page = decorated("<p>a</p></body><!-- </body> --></BODY></html>", None);
        let script = page.find("<script>").expect(&page);
        assert!(page[..script].ends_with("<!-- </body> -->"), "{page}");
        assert!(page.ends_with("</script></BODY></html>"), "{page}");
        assert!(page.contains("const v=\"7\""));
        // A fragment without a body still reloads.
        assert!(decorated("<p>a</p>", None).ends_with("</script>"));
    }

    #[test]
    fn the_published_policy_is_lifted_for_the_script() {
        let page = decorated(
            "<head><meta charset=utf-8><META http-equiv=Content-Security-Policy \
             content=\"default-src 'none'\"><title>t</title></head><body></body>",
            None,
        );
        assert!(
            !page
                .to_ascii_lowercase()
                .contains("content-security-policy"),
            "{page}"
        );
        assert!(
            page.starts_with("<head><meta charset=utf-8><title>t</title>"),
            "{page}"
        );
    }

    #[test]
    fn a_failed_build_shows_over_the_page_escaped() {
        let page = decorated("<body></body>", Some("error: <b> & co"));
        assert!(page.contains("error: &lt;b&gt; &amp; co"), "{page}");
        assert!(page.find("statuspost-error") < page.find("<script>"));
        assert!(!decorated("<body></body>", None).contains("statuspost-error"));
    }
}
