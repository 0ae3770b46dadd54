//! Any serialisable value fed to a key ([`feed`]), as serde walks it, with
//! no text made for it: the lists' key hashes every scorecard result this
//! way (written out as JSON into the hasher, escaping every string was most
//! of that key's cost).
//!
//! Every value is fed with its kind first and strings with their lengths,
//! sequences and maps item by item with a marker each and one at the end,
//! structs field by field with each field's name: no two different values
//! feed the same bytes, even where serialising skips a field
//! (`skip_serializing_if`), which the field names that follow show.

use serde::Serialize;
use serde::ser::{self, SerializeMap, SerializeSeq, SerializeStruct};
use xxhash_rust::xxh3::Xxh3;

/// Feeds `value` to `key` (see the module's notes).
pub(super) fn feed<T: Serialize + ?Sized>(key: &mut Xxh3, value: &T) {
    // Nothing here fails; a value whose own `Serialize` fails feeds what
    // it fed before failing, then the failure's text.
    if let Err(e) = value.serialize(&mut Feed(key)) {
        text(key, b'!', e.0.as_bytes());
    }
}

struct Feed<'k>(&'k mut Xxh3);

/// A `Serialize` impl's own failure.
#[derive(Debug)]
struct Failed(String);

impl std::fmt::Display for Failed {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Failed {}

impl ser::Error for Failed {
    fn custom<T: std::fmt::Display>(msg: T) -> Self {
        Failed(msg.to_string())
    }
}

/// A kind and bytes of a length given first.
fn text(key: &mut Xxh3, kind: u8, bytes: &[u8]) {
    key.update(&[kind]);
    crate::memo::part(key, bytes);
}

/// A kind and eight bytes.
fn word(key: &mut Xxh3, kind: u8, bytes: [u8; 8]) {
    key.update(&[kind]);
    key.update(&bytes);
}

impl ser::Serializer for &mut Feed<'_> {
    type Ok = ();
    type Error = Failed;
    type SerializeSeq = Self;
    type SerializeTuple = Self;
    type SerializeTupleStruct = Self;
    type SerializeTupleVariant = Self;
    type SerializeMap = Self;
    type SerializeStruct = Self;
    type SerializeStructVariant = Self;

    fn serialize_bool(self, v: bool) -> Result<(), Failed> {
        self.0.update(&[b'b', u8::from(v)]);
        Ok(())
    }
    fn serialize_i8(self, v: i8) -> Result<(), Failed> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i16(self, v: i16) -> Result<(), Failed> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i32(self, v: i32) -> Result<(), Failed> {
        self.serialize_i64(i64::from(v))
    }
    fn serialize_i64(self, v: i64) -> Result<(), Failed> {
        word(self.0, b'i', v.to_le_bytes());
        Ok(())
    }
    fn serialize_i128(self, v: i128) -> Result<(), Failed> {
        self.0.update(b"I");
        self.0.update(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_u8(self, v: u8) -> Result<(), Failed> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u16(self, v: u16) -> Result<(), Failed> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u32(self, v: u32) -> Result<(), Failed> {
        self.serialize_u64(u64::from(v))
    }
    fn serialize_u64(self, v: u64) -> Result<(), Failed> {
        word(self.0, b'u', v.to_le_bytes());
        Ok(())
    }
    fn serialize_u128(self, v: u128) -> Result<(), Failed> {
        self.0.update(b"U");
        self.0.update(&v.to_le_bytes());
        Ok(())
    }
    fn serialize_f32(self, v: f32) -> Result<(), Failed> {
        self.serialize_f64(f64::from(v))
    }
    fn serialize_f64(self, v: f64) -> Result<(), Failed> {
        word(self.0, b'f', v.to_bits().to_le_bytes());
        Ok(())
    }
    fn serialize_char(self, v: char) -> Result<(), Failed> {
        word(self.0, b'c', u64::from(v).to_le_bytes());
        Ok(())
    }
    fn serialize_str(self, v: &str) -> Result<(), Failed> {
        text(self.0, b's', v.as_bytes());
        Ok(())
    }
    fn serialize_bytes(self, v: &[u8]) -> Result<(), Failed> {
        text(self.0, b'y', v);
        Ok(())
    }
    fn serialize_none(self) -> Result<(), Failed> {
        self.0.update(b"0");
        Ok(())
    }
    fn serialize_some<T: Serialize + ?Sized>(self, value: &T) -> Result<(), Failed> {
        self.0.update(b"1");
        value.serialize(self)
    }
    fn serialize_unit(self) -> Result<(), Failed> {
        self.0.update(b"(");
        Ok(())
    }
    fn serialize_unit_struct(self, name: &'static str) -> Result<(), Failed> {
        text(self.0, b'n', name.as_bytes());
        Ok(())
    }
    fn serialize_unit_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
    ) -> Result<(), Failed> {
        text(self.0, b'v', variant.as_bytes());
        Ok(())
    }
    fn serialize_newtype_struct<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        value: &T,
    ) -> Result<(), Failed> {
        self.0.update(b"N");
        value.serialize(self)
    }
    fn serialize_newtype_variant<T: Serialize + ?Sized>(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        value: &T,
    ) -> Result<(), Failed> {
        text(self.0, b'V', variant.as_bytes());
        value.serialize(self)
    }
    fn serialize_seq(self, _len: Option<usize>) -> Result<Self, Failed> {
        self.0.update(b"[");
        Ok(self)
    }
    fn serialize_tuple(self, _len: usize) -> Result<Self, Failed> {
        self.0.update(b"[");
        Ok(self)
    }
    fn serialize_tuple_struct(self, _name: &'static str, _len: usize) -> Result<Self, Failed> {
        self.0.update(b"[");
        Ok(self)
    }
    fn serialize_tuple_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self, Failed> {
        text(self.0, b'T', variant.as_bytes());
        Ok(self)
    }
    fn serialize_map(self, _len: Option<usize>) -> Result<Self, Failed> {
        self.0.update(b"{");
        Ok(self)
    }
    fn serialize_struct(self, _name: &'static str, _len: usize) -> Result<Self, Failed> {
        self.0.update(b"{");
        Ok(self)
    }
    fn serialize_struct_variant(
        self,
        _name: &'static str,
        _index: u32,
        variant: &'static str,
        _len: usize,
    ) -> Result<Self, Failed> {
        text(self.0, b'W', variant.as_bytes());
        Ok(self)
    }
}

/// Each item of a sequence, a tuple or a tuple variant: a marker, then
/// the item; one marker at the end.
impl SerializeSeq for &mut Feed<'_> {
    type Ok = ();
    type Error = Failed;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Failed> {
        self.0.update(b",");
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Failed> {
        self.0.update(b"]");
        Ok(())
    }
}

impl ser::SerializeTuple for &mut Feed<'_> {
    type Ok = ();
    type Error = Failed;
    fn serialize_element<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Failed> {
        SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), Failed> {
        SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleStruct for &mut Feed<'_> {
    type Ok = ();
    type Error = Failed;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Failed> {
        SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), Failed> {
        SerializeSeq::end(self)
    }
}

impl ser::SerializeTupleVariant for &mut Feed<'_> {
    type Ok = ();
    type Error = Failed;
    fn serialize_field<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Failed> {
        SerializeSeq::serialize_element(self, value)
    }
    fn end(self) -> Result<(), Failed> {
        SerializeSeq::end(self)
    }
}

/// Each entry of a map: a marker, its key, its value; one marker at the end.
impl SerializeMap for &mut Feed<'_> {
    type Ok = ();
    type Error = Failed;
    fn serialize_key<T: Serialize + ?Sized>(&mut self, key: &T) -> Result<(), Failed> {
        self.0.update(b",");
        key.serialize(&mut **self)
    }
    fn serialize_value<T: Serialize + ?Sized>(&mut self, value: &T) -> Result<(), Failed> {
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Failed> {
        self.0.update(b"}");
        Ok(())
    }
}

/// Each field of a struct (or struct variant) serialised: a marker, its
/// name, its value; one marker at the end. A skipped field feeds nothing,
/// and the next field's name shows it was skipped.
impl SerializeStruct for &mut Feed<'_> {
    type Ok = ();
    type Error = Failed;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Failed> {
        text(self.0, b',', name.as_bytes());
        value.serialize(&mut **self)
    }
    fn end(self) -> Result<(), Failed> {
        self.0.update(b"}");
        Ok(())
    }
}

impl ser::SerializeStructVariant for &mut Feed<'_> {
    type Ok = ();
    type Error = Failed;
    fn serialize_field<T: Serialize + ?Sized>(
        &mut self,
        name: &'static str,
        value: &T,
    ) -> Result<(), Failed> {
        SerializeStruct::serialize_field(self, name, value)
    }
    fn end(self) -> Result<(), Failed> {
        SerializeStruct::end(self)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[derive(Serialize)]
    struct Result {
        #[serde(skip_serializing_if = "Option::is_none")]
        a: Option<String>,
        #[serde(skip_serializing_if = "Option::is_none")]
        b: Option<String>,
        list: Vec<String>,
    }

    fn key<T: Serialize>(value: &T) -> crate::memo::Key {
        let mut key = crate::memo::hasher();
        feed(&mut key, value);
        key.digest128()
    }

    /// Values that differ have different keys: a skipped field is told
    /// from the next one by the names, strings and lists by their ends,
    /// numbers and strings by their kinds; equal values have one key.
    #[test]
    fn different_values_feed_different_keys() {
        let s = |v: &str| Some(v.to_string());
        let values = [
            key(&Result {
                a: s("x"),
                b: None,
                list: vec![],
            }),
            key(&Result {
                a: None,
                b: s("x"),
                list: vec![],
            }),
            key(&Result {
                a: None,
                b: None,
                list: vec!["x".into()],
            }),
            key(&Result {
                a: None,
                b: None,
                list: vec!["x".into(), String::new()],
            }),
            key(&Result {
                a: None,
                b: None,
                list: vec![String::new(), "x".into()],
            }),
            key(&Result {
                a: s(""),
                b: None,
                list: vec![],
            }),
            key(&Result {
                a: None,
                b: None,
                list: vec![],
            }),
            key(&(Some(1u32), None::<u32>)),
            key(&(None::<u32>, Some(1u32))),
            key(&1u64),
            key(&1i64),
            key(&1.0f64),
            key(&"1"),
            key(&vec![vec!["a", "b"]]),
            key(&vec![vec!["a"], vec!["b"]]),
            key(&json!({"a": "b", "c": "d"})),
            key(&json!({"a": "bc", "": "d"})),
        ];
        let unique: std::collections::HashSet<_> = values.iter().collect();
        assert_eq!(unique.len(), values.len());
        assert_eq!(
            key(&Result {
                a: s("x"),
                b: None,
                list: vec!["y".into()]
            }),
            key(&Result {
                a: s("x"),
                b: None,
                list: vec!["y".into()]
            })
        );
    }
}
