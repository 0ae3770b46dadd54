//! `$json` files read straight into YAML [`Node`]s, within budgets.
//!
//! Parsing into serde_json's own `Value` first would build the whole file
//! before anything is counted: a 10 MB file of `{}` becomes gigabytes of
//! ordered maps. Here each JSON value becomes a node as it is parsed,
//! counted against the document's node budget and checked against the depth
//! limit, and parsing stops at the first value over either. serde_json's
//! own recursion limit stays on underneath.

use crate::limits::JSON_MAX_DEPTH;
use crate::yaml::{Key, KeyIndex, Node, Pos, Value};
use serde::de::{self, DeserializeSeed, Deserializer, MapAccess, SeqAccess, Visitor};
use std::cell::Cell;
use std::fmt;

/// Why a `$json` file was not read.
#[derive(Debug, PartialEq)]
pub enum JsonError {
    /// Not valid JSON: serde_json's message, with line and column.
    Syntax(String),
    /// Nested deeper than [`JSON_MAX_DEPTH`].
    TooDeep,
    /// More values than the budget allowed.
    TooLarge,
}

/// Reads `text` as one JSON value, every node placed at `pos`, building at
/// most `max_nodes` nodes (mapping keys count, as the YAML reader counts
/// them). Returns the value and the nodes it took.
pub fn parse(text: &str, pos: Pos, max_nodes: usize) -> Result<(Node, usize), JsonError> {
    let state = State {
        pos,
        nodes_left: Cell::new(max_nodes),
        stopped: Cell::new(None),
    };
    let mut de = serde_json::Deserializer::from_str(text);
    let seed = NodeSeed {
        state: &state,
        depth: 0,
    };
    let read = seed.deserialize(&mut de).and_then(|node| {
        de.end()?;
        Ok(node)
    });
    match read {
        Ok(node) => Ok((node, max_nodes - state.nodes_left.get())),
        Err(e) => Err(state
            .stopped
            .take()
            .unwrap_or_else(|| JsonError::Syntax(e.to_string()))),
    }
}

/// Shared by every level of one parse.
struct State {
    pos: Pos,
    nodes_left: Cell<usize>,
    /// Set when a budget stopped the parse (serde only carries a message).
    stopped: Cell<Option<JsonError>>,
}

impl State {
    fn stop<E: de::Error>(&self, why: JsonError) -> E {
        self.stopped.set(Some(why));
        E::custom("over budget")
    }

    /// Takes one node from the budget.
    fn count<E: de::Error>(&self) -> Result<(), E> {
        match self.nodes_left.get().checked_sub(1) {
            Some(left) => {
                self.nodes_left.set(left);
                Ok(())
            }
            None => Err(self.stop(JsonError::TooLarge)),
        }
    }

    fn node(&self, value: Value) -> Node {
        Node {
            value,
            pos: self.pos,
            tag: None,
        }
    }
}

/// One value at `depth` (0 for the whole file).
#[derive(Clone, Copy)]
struct NodeSeed<'s> {
    state: &'s State,
    depth: usize,
}

impl NodeSeed<'_> {
    fn child(self) -> Self {
        NodeSeed {
            depth: self.depth + 1,
            ..self
        }
    }
}

impl<'de> DeserializeSeed<'de> for NodeSeed<'_> {
    type Value = Node;

    fn deserialize<D: Deserializer<'de>>(self, deserializer: D) -> Result<Node, D::Error> {
        if self.depth > JSON_MAX_DEPTH {
            return Err(self.state.stop(JsonError::TooDeep));
        }
        self.state.count()?;
        deserializer.deserialize_any(self)
    }
}

impl<'de> Visitor<'de> for NodeSeed<'_> {
    type Value = Node;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E>(self) -> Result<Node, E> {
        Ok(self.state.node(Value::Null))
    }

    fn visit_bool<E>(self, b: bool) -> Result<Node, E> {
        Ok(self.state.node(Value::Bool(b)))
    }

    fn visit_i64<E>(self, i: i64) -> Result<Node, E> {
        Ok(self.state.node(Value::Int(i)))
    }

    /// Integers past `i64` become floats, as JavaScript reads them.
    fn visit_u64<E>(self, u: u64) -> Result<Node, E> {
        let value = i64::try_from(u).map_or(Value::Float(u as f64), Value::Int);
        Ok(self.state.node(value))
    }

    fn visit_f64<E>(self, f: f64) -> Result<Node, E> {
        Ok(self.state.node(Value::Float(f)))
    }

    fn visit_str<E>(self, s: &str) -> Result<Node, E> {
        Ok(self.state.node(Value::String(s.to_string())))
    }

    fn visit_string<E>(self, s: String) -> Result<Node, E> {
        Ok(self.state.node(Value::String(s)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Node, A::Error> {
        let mut items = Vec::new();
        while let Some(item) = seq.next_element_seed(self.child())? {
            items.push(item);
        }
        Ok(self.state.node(Value::Seq(items)))
    }

    /// A repeated key keeps its first place and takes the last value, as
    /// serde_json's ordered maps (and JavaScript objects) do.
    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Node, A::Error> {
        let mut entries: Vec<(Key, Node)> = Vec::new();
        let mut keys = KeyIndex::default();
        while let Some(name) = map.next_key::<String>()? {
            self.state.count()?;
            let value = map.next_value_seed(self.child())?;
            match keys.position(&entries, &name) {
                Some(i) => entries[i].1 = value,
                None => entries.push((
                    Key {
                        name,
                        pos: self.state.pos,
                    },
                    value,
                )),
            }
        }
        Ok(self.state.node(Value::Map(entries)))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const AT: Pos = Pos { line: 7, column: 5 };

    fn read(text: &str) -> Result<(Node, usize), JsonError> {
        parse(text, AT, 1_000)
    }

    #[test]
    fn reads_values_in_order_at_the_placeholder() {
        let (node, nodes) = read(
            r#"{"z": [1, -2, 1.5, 18446744073709551615], "a": {"t": true, "n": null, "s": "x"}}"#,
        )
        .unwrap();
        assert_eq!(
            serde_json::to_string(&node.to_json()).unwrap(),
            r#"{"z":[1,-2,1.5,1.8446744073709552e+19],"a":{"t":true,"n":null,"s":"x"}}"#
        );
        // The root and its 2 keys, a list and its 4 items, a map with 3 keys and 3 values.
        assert_eq!(nodes, 1 + 2 + 5 + 7);
        assert_eq!(node.size(), nodes, "counted as the YAML reader counts");
        let leaf = node.at(&["a", "s"]).unwrap();
        assert_eq!(leaf.pos, AT);
        assert!(node.as_map().unwrap().iter().all(|(k, _)| k.pos == AT));
    }

    #[test]
    fn a_repeated_key_keeps_its_place_and_takes_the_last_value() {
        let (node, _) = read(r#"{"a": 1, "b": 2, "a": 3}"#).unwrap();
        assert_eq!(
            serde_json::to_string(&node.to_json()).unwrap(),
            r#"{"a":3,"b":2}"#
        );
        let many: Vec<String> = (0..100).map(|i| format!("\"k{}\": {i}", i % 10)).collect();
        let (node, _) = read(&format!("{{{}}}", many.join(","))).unwrap();
        assert_eq!(node.as_map().unwrap().len(), 10);
        assert_eq!(node.get("k3").unwrap().value, Value::Int(93));
    }

    #[test]
    fn syntax_errors_keep_serde_json_message() {
        match read(r#"{"a": [1, 2}"#) {
            Err(JsonError::Syntax(message)) => assert!(message.contains("line 1"), "{message}"),
            other => panic!("{other:?}"),
        }
        assert!(matches!(read("[1] [2]"), Err(JsonError::Syntax(_))));
    }

    #[test]
    fn depth_is_limited() {
        let deep = |levels: usize| format!("{}{}", "[".repeat(levels), "]".repeat(levels));
        assert!(read(&deep(JSON_MAX_DEPTH)).is_ok());
        let too_deep = format!("{}1{}", "[".repeat(101), "]".repeat(101));
        assert_eq!(read(&too_deep).unwrap_err(), JsonError::TooDeep);
        assert_eq!(read(&"[".repeat(100_000)).unwrap_err(), JsonError::TooDeep);
    }

    /// A 10 MB file of `{}` took gigabytes through serde_json's `Value`;
    /// now parsing stops at the budget.
    #[test]
    fn stops_at_the_node_budget() {
        let many = format!("[{}]", vec!["{}"; 1_000_000].join(","));
        assert_eq!(parse(&many, AT, 250_000).unwrap_err(), JsonError::TooLarge);
        let (_, nodes) = parse("[{}, {}]", AT, 3).unwrap();
        assert_eq!(nodes, 3);
        assert_eq!(parse("[{}, {}]", AT, 2).unwrap_err(), JsonError::TooLarge);
        assert_eq!(
            parse(r#"{"a": 1}"#, AT, 2).unwrap_err(),
            JsonError::TooLarge
        );
    }
}
