//! OrderCloud list semantics over rendered wire objects: `page`, `pageSize` (≤ 100), `search`,
//! `searchOn`, `sortBy` (`!` = descending) and filters (`*` wildcard, `|` or, `!` not, `<` and
//! `>` comparisons, repeated keys = and, `xp.` paths), answered as
//! `{Meta:{Page,PageSize,TotalCount,TotalPages,ItemRange}, Items}`.
//!
//! The identity resources are small (dozens to hundreds of rows), so lists are filtered in
//! memory over exactly what the client sees on the wire (each rendering's JSON, so a filter
//! names a field as the client reads it, `xp` paths included); see docs/adr/0002. The page
//! keeps the renderings themselves, typed.

use super::error::OcError;
use super::schema::{ListPage, Meta};
use axum::http::StatusCode;
use serde::Serialize;
use serde_json::{Value, json};
use std::cmp::Ordering;

/// What a resource allows in queries.
pub struct ListSpec {
    /// Fields `search` looks in by default, and the only ones `searchOn` accepts.
    pub searchable: &'static [&'static str],
    /// Fields `sortBy` accepts.
    pub sortable: &'static [&'static str],
    /// Top-level fields filters may name (besides `xp.` paths).
    pub filterable: &'static [&'static str],
}

impl ListSpec {
    /// The list query as OpenAPI parameters: paging, search, sort, and one filter per
    /// filterable field (`xp.` paths are filters too, beyond what a document can list).
    pub fn params(&self) -> Vec<crate::openapi::Param> {
        use crate::openapi::Param;
        let sort_example: Vec<&str> = self.sortable.iter().take(1).copied().collect();
        let mut ps = vec![
            Param::query("page", json!({"type": "integer", "minimum": 1}), "Page, from 1."),
            Param::query(
                "pageSize",
                json!({"type": "integer", "minimum": 1, "maximum": 100}),
                "Page size (default 20).",
            ),
            Param::query("search", json!({"type": "string"}), "Words to look for in the searchable fields."),
            Param::query("searchOn", json!({"type": "string"}), "Comma-separated searchable fields to look in."),
            Param::query(
                "sortBy",
                json!({"type": "string", "examples": sort_example}),
                "Comma-separated sortable fields; `!` sorts descending.",
            ),
        ];
        for f in self.filterable {
            ps.push(Param::query(*f, json!({"type": "string"}), "A filter: `*` wildcard, `|` or, `!` not, `<` / `>`."));
        }
        ps
    }
}

const RESERVED: &[&str] = &["page", "pagesize", "search", "searchon", "searchtype", "sortby", "pagekey"];

fn invalid(code: &'static str, message: String) -> OcError {
    OcError::new(StatusCode::BAD_REQUEST, code, message)
}

fn canonical<'a>(names: &'a [&'static str], wanted: &str) -> Option<&'a str> {
    names.iter().copied().find(|n| n.eq_ignore_ascii_case(wanted))
}

/// Applies the query string `query` to `items` (renderings) and answers the page.
pub fn page<T: Serialize>(items: Vec<T>, query: Option<&str>, spec: &ListSpec) -> Result<ListPage<T>, OcError> {
    let params: Vec<(String, String)> = serde_urlencoded::from_str(query.unwrap_or(""))
        .map_err(|e| invalid("List.InvalidQuery", format!("Malformed query string: {e}")))?;
    let get = |name: &str| params.iter().find(|(k, _)| k.eq_ignore_ascii_case(name)).map(|(_, v)| v.as_str());

    let page: usize = match get("page") {
        None | Some("") => 1,
        Some(v) => v
            .parse()
            .ok()
            .filter(|p| *p >= 1)
            .ok_or_else(|| OcError::validation("page", "page must be a positive integer"))?,
    };
    let page_size: usize = match get("pageSize") {
        None | Some("") => 20,
        Some(v) => v
            .parse()
            .ok()
            .filter(|p| (1..=100).contains(p))
            .ok_or_else(|| invalid("List.InvalidPageSize", "pageSize must be between 1 and 100".into()))?,
    };

    let mut filters: Vec<(Vec<String>, String)> = Vec::new();
    for (key, value) in &params {
        if RESERVED.contains(&key.to_ascii_lowercase().as_str()) {
            continue;
        }
        let path: Vec<String> = if key.len() > 3 && key[..3].eq_ignore_ascii_case("xp.") {
            std::iter::once("xp".to_owned()).chain(key[3..].split('.').map(str::to_owned)).collect()
        } else {
            let field = canonical(spec.filterable, key).ok_or_else(|| {
                invalid("List.InvalidProperty", format!("{key} is not a property that can be filtered"))
            })?;
            vec![field.to_owned()]
        };
        filters.push((path, value.clone()));
    }

    let search_on: Vec<&str> = match get("searchOn") {
        None | Some("") => spec.searchable.to_vec(),
        Some(v) => v
            .split(',')
            .map(|f| {
                canonical(spec.searchable, f.trim())
                    .ok_or_else(|| invalid("List.InvalidSearchProperty", format!("{f} is not a searchable property")))
            })
            .collect::<Result<_, _>>()?,
    };
    let search = get("search").filter(|s| !s.is_empty()).map(str::to_lowercase);

    let sort: Vec<(&str, bool)> = match get("sortBy") {
        None | Some("") => vec![("ID", false)],
        Some(v) => v
            .split(',')
            .map(|f| {
                let f = f.trim();
                let (name, desc) = match f.strip_prefix('!') {
                    Some(n) => (n, true),
                    None => (f, false),
                };
                canonical(spec.sortable, name)
                    .map(|n| (n, desc))
                    .ok_or_else(|| invalid("List.InvalidSortProperty", format!("{name} is not a sortable property")))
            })
            .collect::<Result<_, _>>()?,
    };

    // A rendering is plain data (strings, numbers, JSON objects with string keys): turning it
    // into JSON cannot fail.
    let shown: Vec<Value> =
        items.iter().map(|i| serde_json::to_value(i).expect("a rendering is plain JSON data")).collect();
    let mut matched: Vec<usize> = (0..shown.len())
        .filter(|&i| filters.iter().all(|(path, expr)| matches_filter(lookup(&shown[i], path), expr)))
        .filter(|&i| match &search {
            None => true,
            Some(term) => search_on.iter().any(|f| {
                lookup(&shown[i], &[f.to_string()]).is_some_and(|v| text(v).to_lowercase().contains(term.as_str()))
            }),
        })
        .collect();
    matched.sort_by(|&a, &b| {
        for (field, desc) in &sort {
            let ord = compare(lookup(&shown[a], &[field.to_string()]), lookup(&shown[b], &[field.to_string()]));
            let ord = if *desc { ord.reverse() } else { ord };
            if ord != Ordering::Equal {
                return ord;
            }
        }
        Ordering::Equal
    });

    let total = matched.len();
    let total_pages = total.div_ceil(page_size);
    let start = (page - 1) * page_size;
    let picked: Vec<usize> = matched.into_iter().skip(start).take(page_size).collect();
    let mut slots: Vec<Option<T>> = items.into_iter().map(Some).collect();
    let items: Vec<T> = picked.iter().filter_map(|&i| slots[i].take()).collect();
    let range = if items.is_empty() { [0, 0] } else { [start + 1, start + items.len()] };
    let count = |n: usize| i64::try_from(n).unwrap_or(i64::MAX);
    Ok(ListPage {
        meta: Meta {
            page: count(page),
            page_size: count(page_size),
            total_count: count(total),
            total_pages: count(total_pages),
            item_range: range.iter().map(|&n| count(n)).collect(),
            next_page_key: None,
        },
        items,
    })
}

fn lookup<'a>(item: &'a Value, path: &[String]) -> Option<&'a Value> {
    let mut current = item;
    for (i, seg) in path.iter().enumerate() {
        let obj = current.as_object()?;
        current = if i == 0 {
            obj.get(seg.as_str())?
        } else {
            // xp keys are the client's own: match them case-insensitively too.
            obj.get(seg.as_str()).or_else(|| obj.iter().find(|(k, _)| k.eq_ignore_ascii_case(seg)).map(|(_, v)| v))?
        };
    }
    Some(current)
}

fn text(v: &Value) -> String {
    match v {
        Value::String(s) => s.clone(),
        Value::Null => String::new(),
        other => other.to_string(),
    }
}

fn compare(a: Option<&Value>, b: Option<&Value>) -> Ordering {
    match (a, b) {
        (Some(Value::Number(x)), Some(Value::Number(y))) => {
            x.as_f64().partial_cmp(&y.as_f64()).unwrap_or(Ordering::Equal)
        }
        (Some(x), Some(y)) => text(x).to_lowercase().cmp(&text(y).to_lowercase()),
        (None, Some(_)) => Ordering::Less,
        (Some(_), None) => Ordering::Greater,
        (None, None) => Ordering::Equal,
    }
}

/// One filter parameter: terms separated by `|`, any of which may match.
fn matches_filter(value: Option<&Value>, expr: &str) -> bool {
    let values: Vec<&Value> = match value {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
        None => vec![],
    };
    expr.split('|').any(|term| {
        let (negated, term) = match term.strip_prefix('!') {
            Some(rest) => (true, rest),
            None => (false, term),
        };
        let hit = if values.is_empty() { false } else { values.iter().any(|v| matches_term(v, term)) };
        hit != negated
    })
}

fn matches_term(value: &Value, term: &str) -> bool {
    if let Some(bound) = term.strip_prefix('>') {
        return compare_to(value, bound) == Some(Ordering::Greater);
    }
    if let Some(bound) = term.strip_prefix('<') {
        return compare_to(value, bound) == Some(Ordering::Less);
    }
    match value {
        Value::Null => false,
        Value::Number(n) => match term.parse::<f64>() {
            Ok(t) => n.as_f64() == Some(t),
            Err(_) => wildcard(&n.to_string(), term),
        },
        Value::Bool(b) => term.eq_ignore_ascii_case(if *b { "true" } else { "false" }) || term == "*",
        Value::String(s) => {
            !s.is_empty() && wildcard(&s.to_lowercase(), &term.to_lowercase()) || (s.is_empty() && term.is_empty())
        }
        other => wildcard(&other.to_string().to_lowercase(), &term.to_lowercase()),
    }
}

fn compare_to(value: &Value, bound: &str) -> Option<Ordering> {
    match value {
        Value::Number(n) => n.as_f64()?.partial_cmp(&bound.parse::<f64>().ok()?),
        Value::String(s) => Some(s.to_lowercase().as_str().cmp(bound.to_lowercase().as_str())),
        _ => None,
    }
}

/// `*` matches any run of characters (including none).
fn wildcard(text: &str, pattern: &str) -> bool {
    let parts: Vec<&str> = pattern.split('*').collect();
    if parts.len() == 1 {
        return text == pattern;
    }
    let (first, last) = (parts[0], parts[parts.len() - 1]);
    if !text.starts_with(first) || text.len() < first.len() + last.len() || !text.ends_with(last) {
        return false;
    }
    let mut rest = &text[first.len()..text.len() - last.len()];
    for middle in &parts[1..parts.len() - 1] {
        match rest.find(middle) {
            Some(i) => rest = &rest[i + middle.len()..],
            None => return false,
        }
    }
    true
}

#[cfg(test)]
mod tests {
    use super::*;

    const SPEC: ListSpec = ListSpec {
        searchable: &["ID", "Name"],
        sortable: &["ID", "Name", "Count"],
        filterable: &["ID", "Name", "Count", "Active", "Roles"],
    };

    fn items() -> Vec<Value> {
        vec![
            json!({"ID": "a1", "Name": "Smith", "Count": 3, "Active": true, "Roles": ["Shopper"], "xp": {"Color": "red", "n": {"k": 1}}}),
            json!({"ID": "b2", "Name": "Jones", "Count": 10, "Active": false, "Roles": [], "xp": {"Color": "blue"}}),
            json!({"ID": "c3", "Name": "Johnson", "Count": 7, "Active": true, "Roles": ["OrderAdmin", "Shopper"], "xp": {}}),
        ]
    }

    fn ids(p: &ListPage<Value>) -> Vec<String> {
        p.items.iter().map(|i| i["ID"].as_str().unwrap().to_owned()).collect()
    }

    #[test]
    fn filters_follow_the_documented_operators() {
        assert_eq!(ids(&page(items(), Some("Name=Jo*"), &SPEC).unwrap()), ["b2", "c3"]);
        assert_eq!(ids(&page(items(), Some("Name=Smith|Jones"), &SPEC).unwrap()), ["a1", "b2"]);
        assert_eq!(ids(&page(items(), Some("Name=!Smith&Name=!Jones"), &SPEC).unwrap()), ["c3"]);
        assert_eq!(ids(&page(items(), Some("Count=>5"), &SPEC).unwrap()), ["b2", "c3"]);
        assert_eq!(ids(&page(items(), Some("Count=!<7&Count=!>9"), &SPEC).unwrap()), ["c3"]);
        assert_eq!(ids(&page(items(), Some("Active=false"), &SPEC).unwrap()), ["b2"]);
        assert_eq!(ids(&page(items(), Some("xp.Color=red"), &SPEC).unwrap()), ["a1"]);
        assert_eq!(ids(&page(items(), Some("xp.n.k=1"), &SPEC).unwrap()), ["a1"]);
        assert_eq!(ids(&page(items(), Some("xp.Color=!*"), &SPEC).unwrap()), ["c3"]);
        assert_eq!(ids(&page(items(), Some("Roles=Shopper"), &SPEC).unwrap()), ["a1", "c3"]);
        assert_eq!(ids(&page(items(), Some("name=*nes"), &SPEC).unwrap()), ["b2"]);
    }

    #[test]
    fn search_sort_and_pages() {
        assert_eq!(ids(&page(items(), Some("search=john"), &SPEC).unwrap()), ["c3"]);
        assert_eq!(ids(&page(items(), Some("sortBy=!Count"), &SPEC).unwrap()), ["b2", "c3", "a1"]);
        assert_eq!(ids(&page(items(), Some("sortBy=Name"), &SPEC).unwrap()), ["c3", "b2", "a1"]);
        let p = page(items(), Some("pageSize=2&page=2"), &SPEC).unwrap();
        assert_eq!(ids(&p), ["c3"]);
        assert_eq!(
            serde_json::to_value(&p).unwrap()["Meta"],
            json!({"Page": 2, "PageSize": 2, "TotalCount": 3, "TotalPages": 2, "ItemRange": [3, 3], "NextPageKey": null})
        );
    }

    #[test]
    fn bad_queries_are_rejected_with_list_codes() {
        let code = |q: &str| page(items(), Some(q), &SPEC).unwrap_err().code();
        assert_eq!(code("pageSize=101"), "List.InvalidPageSize");
        assert_eq!(code("pageSize=0"), "List.InvalidPageSize");
        assert_eq!(code("sortBy=Nope"), "List.InvalidSortProperty");
        assert_eq!(code("searchOn=Count"), "List.InvalidSearchProperty");
        assert_eq!(code("Bogus=1"), "List.InvalidProperty");
        assert_eq!(code("page=0"), "ValidationFailure");
    }

    #[test]
    fn wildcard_edges() {
        assert!(wildcard("smith", "*"));
        assert!(wildcard("smith", "s*h"));
        assert!(wildcard("smith", "*mi*"));
        assert!(!wildcard("smith", "*x*"));
        assert!(!wildcard("ab", "a*b*b"));
    }
}
