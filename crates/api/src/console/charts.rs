//! Charts drawn on the server as inline SVG (no script, nothing the CSP must allow): a bar per
//! minute, each with a `<title>` a pointer or a screen reader can read, and the whole chart
//! labelled with its total.

use maud::{Markup, html};

/// Bars of `values` (one per minute, oldest first) in `width` × `height`; `failures`, when
/// given, are drawn over their bars in red.
pub fn bars(
    label: &str,
    minutes: &[String],
    values: &[i64],
    failures: Option<&[i64]>,
    width: u32,
    height: u32,
) -> Markup {
    let max = values.iter().copied().max().unwrap_or(0).max(1) as f64;
    let n = values.len().max(1) as f64;
    let slot = f64::from(width) / n;
    let bar = (slot - 1.0).max(1.0);
    let total: i64 = values.iter().sum();
    let h = f64::from(height);
    let scaled = |v: i64| (v as f64 / max * (h - 2.0)).round();
    html! {
        svg.chart width=(width) height=(height) viewBox={ "0 0 " (width) " " (height) } role="img"
            aria-label={ (label) ": " (total) " in the last " (values.len()) " minutes" } {
            rect x="0" y="0" width=(width) height=(height) fill="#f6f8fa" {}
            @for (i, v) in values.iter().enumerate() {
                @let x = i as f64 * slot;
                @let y = h - scaled(*v);
                rect x=(format!("{x:.1}")) y=(format!("{y:.1}")) width=(format!("{bar:.1}")) height=(format!("{:.1}", scaled(*v))) fill="#0b5cad" {
                    title { (minutes.get(i).map(String::as_str).unwrap_or("")) " UTC: " (v) }
                }
                @if let Some(f) = failures.and_then(|f| f.get(i)).filter(|f| **f > 0) {
                    rect x=(format!("{x:.1}")) y=(format!("{:.1}", h - scaled(*f))) width=(format!("{bar:.1}")) height=(format!("{:.1}", scaled(*f))) fill="#b42318" {
                        title { (f) " failed" }
                    }
                }
            }
        }
    }
}
