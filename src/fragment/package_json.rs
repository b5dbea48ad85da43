//! package.json: every `scripts` value is a shell fragment named after its script.

use std::cell::RefCell;
use std::sync::Arc;

use tree_sitter::{Node, Parser};

use super::escape::push_escaped;
use super::map::FragmentBuilder;
use super::{Fragment, HostContext};
use crate::lang::FileKind;

thread_local! {
    static JSON: RefCell<Parser> = RefCell::new({
        let mut p = Parser::new();
        p.set_language(&tree_sitter_json::LANGUAGE.into()).expect("json grammar");
        p
    });
}

/// Decodes a JSON `string` node's content into text and map.
pub fn json_string(node: Node, src: &str) -> Option<(String, super::map::OffsetMap)> {
    if node.kind() != "string" {
        return None;
    }
    let inner = super::quoted_inner(node, src)?;
    let mut b = FragmentBuilder::new();
    push_escaped(&mut b, src, inner, 0);
    Some(b.finish())
}

fn pairs<'t>(object: Node<'t>) -> impl Iterator<Item = (Node<'t>, Node<'t>)> {
    let mut c = object.walk();
    let pairs: Vec<_> = object
        .named_children(&mut c)
        .filter(|n| n.kind() == "pair")
        .filter_map(|p| {
            Some((
                p.child_by_field_name("key")?,
                p.child_by_field_name("value")?,
            ))
        })
        .collect();
    pairs.into_iter()
}

pub fn extract(src: &str) -> Vec<Fragment> {
    let Some(tree) = JSON.with(|p| crate::budget::parse(&mut p.borrow_mut(), src, "JSON")) else {
        return Vec::new();
    };
    let root = tree.root_node();
    let mut c = root.walk();
    let Some(top) = root.named_children(&mut c).find(|n| n.kind() == "object") else {
        return Vec::new();
    };
    let mut out = Vec::new();
    for (key, value) in pairs(top) {
        if json_string(key, src).map(|k| k.0).as_deref() != Some("scripts")
            || value.kind() != "object"
        {
            continue;
        }
        for (name, script) in pairs(value) {
            let (Some((name, _)), Some((text, map))) =
                (json_string(name, src), json_string(script, src))
            else {
                continue;
            };
            let mut ctx = HostContext::new(FileKind::PackageJson);
            ctx.names.push(name);
            out.push(Fragment::shell(text, map, Arc::new(ctx)));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::fragment::Body;

    #[test]
    fn scripts_are_fragments_with_exact_positions() {
        let src = r#"{"name": "x", "scripts": {"db:wipe": "echo \"go\" && prisma migrate reset"}, "x": {"scripts": 1}}"#;
        let f = extract(src);
        assert_eq!(f.len(), 1);
        assert_eq!(f[0].ctx.names, ["db:wipe"]);
        let Body::Shell { text, map } = &f[0].body else {
            panic!()
        };
        assert_eq!(text, r#"echo "go" && prisma migrate reset"#);
        let at = text.find("prisma").unwrap();
        assert_eq!(&src[map.to_host(at)..map.to_host(at) + 6], "prisma");
    }

    #[test]
    fn tolerates_non_objects() {
        assert!(extract(r#"{"scripts": ["a"]}"#).is_empty());
        assert!(extract("not json").is_empty());
        assert!(extract("").is_empty());
    }
}
