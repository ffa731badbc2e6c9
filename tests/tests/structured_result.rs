//! `#[structured_result]` and the `StructuredResult` impls of std types, through the trait.
#![allow(missing_docs)]

use std::collections::{BTreeMap, HashMap};

use rmcp_sampling::rmcp::model::JsonObject;
use rmcp_sampling::schema::FINAL_RESPONSE;
use rmcp_sampling::{StructuredResult, structured_result};
use serde_json::{Value, json};

fn obj(value: Value) -> JsonObject {
    match value {
        Value::Object(object) => object,
        other => panic!("not an object: {other}"),
    }
}

fn schema_of<T: StructuredResult>() -> Value {
    let tool = T::final_response_tool();
    assert_eq!(tool.name, FINAL_RESPONSE);
    Value::Object((*tool.input_schema).clone())
}

fn errors_of<T: StructuredResult + std::fmt::Debug>(input: Value) -> Vec<String> {
    match T::parse_final_response(obj(input)) {
        Ok(value) => panic!("expected violations, parsed {value:?}"),
        Err(errors) => errors,
    }
}

/// Severity of a ticket.
#[structured_result]
#[derive(Debug, PartialEq)]
#[serde(rename_all = "lowercase")]
enum Severity {
    Low,
    Medium,
    High,
}

/// A customer.
#[structured_result]
#[derive(Debug, PartialEq)]
struct Customer {
    /// The customer's email.
    #[schemars(length(min = 3, max = 100), regex(pattern = r"^[^@]+@[^@]+$"))]
    email: String,
    /// Optional display name.
    name: Option<String>,
}

/// Classify a support ticket.
#[structured_result]
#[derive(Debug, PartialEq)]
#[serde(deny_unknown_fields)]
struct Triage {
    severity: Severity,
    /// Confidence between 0 and 1.
    #[schemars(range(min = 0.0, max = 1.0))]
    score: f64,
    #[schemars(length(max = 20))]
    team: String,
    customer: Customer,
    tags: Vec<String>,
    #[schemars(range(min = 1, max = 5))]
    priority: Option<u8>,
}

/// An action (externally tagged).
#[structured_result]
#[derive(Debug, PartialEq)]
enum Action {
    Close,
    Escalate { team: String },
    Reply(Reply),
}

#[structured_result]
#[derive(Debug, PartialEq)]
struct Reply {
    #[schemars(length(min = 1))]
    text: String,
}

/// A shape (internally tagged).
#[structured_result]
#[derive(Debug, PartialEq)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Shape {
    Circle { radius: f64 },
    Rect { w: f64, h: f64 },
}

/// A type that already derives everything: the macro adds nothing, only the impl.
#[structured_result]
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
struct Preexisting {
    #[serde(rename = "fullName")]
    full_name: String,
}

/// A type that derives only `Serialize`: the macro adds `Deserialize` and `JsonSchema`.
#[structured_result(name = "Verdict", description = "Whether the claim holds.")]
#[derive(Debug, PartialEq, serde::Serialize)]
#[serde(rename_all = "camelCase")]
struct PartlyDerived {
    claim_holds: bool,
    #[serde(default)]
    reasons: Vec<String>,
}

/// A newtype: its schema is the inner type's, so it is wrapped.
#[structured_result]
#[derive(Debug, PartialEq)]
struct Score(#[schemars(range(min = 0, max = 10))] u32);

/// A page of results (generic: the impl is bounded on `Self`).
#[structured_result]
#[derive(Debug, PartialEq)]
struct Page<T> {
    items: Vec<T>,
    next: Option<String>,
}

/// An event (adjacently tagged).
#[structured_result]
#[derive(Debug, PartialEq)]
#[serde(tag = "t", content = "c")]
enum Event {
    Ping,
    Count(u32),
    Move { x: i32, y: i32 },
}

#[test]
fn struct_schema_is_an_object_with_required_and_no_title() {
    assert_eq!(
        schema_of::<Triage>(),
        json!({
            "type": "object",
            "additionalProperties": false,
            "properties": {
                "severity": {"type": "string", "enum": ["low", "medium", "high"], "description": "Severity of a ticket."},
                "score": {"type": "number", "format": "double", "description": "Confidence between 0 and 1.", "minimum": 0.0, "maximum": 1.0},
                "team": {"type": "string", "maxLength": 20},
                "customer": {
                    "type": "object",
                    "properties": {
                        "email": {"type": "string", "description": "The customer's email.", "minLength": 3, "maxLength": 100, "pattern": "^[^@]+@[^@]+$"},
                        "name": {"type": ["string", "null"], "description": "Optional display name."}
                    },
                    "required": ["email"],
                    "description": "A customer."
                },
                "tags": {"type": "array", "items": {"type": "string"}},
                "priority": {"type": ["integer", "null"], "format": "uint8", "minimum": 1, "maximum": 5}
            },
            "required": ["severity", "score", "team", "customer", "tags"]
        })
    );
    // Properties keep declaration order.
    let schema = schema_of::<Triage>();
    let keys: Vec<&String> = schema["properties"].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        ["severity", "score", "team", "customer", "tags", "priority"]
    );
}

#[test]
fn tool_description_asks_for_the_final_answer_and_carries_the_docs() {
    let tool = Triage::final_response_tool();
    assert_eq!(
        tool.description.as_deref(),
        Some(
            "Give your final answer by calling this tool once, when you are done: its arguments are the answer, a `Triage`.\n\n`Triage`: Classify a support ticket."
        )
    );
    assert_eq!(Triage::type_name(), "Triage");
    let wrapped = <Vec<String>>::final_response_tool();
    assert_eq!(
        wrapped.description.as_deref(),
        Some(
            "Give your final answer by calling this tool once, when you are done: its arguments are the answer, a `Vec<String>`. Put the answer in the `value` argument."
        )
    );
}

#[test]
fn nested_struct_round_trip() {
    let input = json!({
        "severity": "high", "score": 0.9, "team": "billing",
        "customer": {"email": "ann@example.com"}, "tags": ["refund"], "priority": 2
    });
    let triage = Triage::parse_final_response(obj(input)).unwrap();
    assert_eq!(
        triage,
        Triage {
            severity: Severity::High,
            score: 0.9,
            team: "billing".into(),
            customer: Customer {
                email: "ann@example.com".into(),
                name: None
            },
            tags: vec!["refund".into()],
            priority: Some(2),
        }
    );
    assert_eq!(
        triage.to_text(),
        r#"{"severity":"high","score":0.9,"team":"billing","customer":{"email":"ann@example.com","name":null},"tags":["refund"],"priority":2}"#
    );
    // The text parses back into the same value.
    assert_eq!(
        Triage::parse_final_response(serde_json::from_str(&triage.to_text()).unwrap()).unwrap(),
        triage
    );
}

#[test]
fn every_struct_violation_is_reported_with_its_path() {
    let errors = errors_of::<Triage>(json!({
        "severity": "urgent", "score": 1.5, "team": "x".repeat(30),
        "customer": {"email": "ab", "name": 3}, "tags": ["a", 2], "priority": 9, "extra": true
    }));
    assert_eq!(
        errors,
        [
            r#"/severity: "urgent" is not one of "low", "medium", "high""#,
            "/score: 1.5 is greater than the maximum of 1.0",
            r#"/team: "xxxxxxxxxxxxxxxxxxxxxxxxxxxxxx" is longer than the maximum length of 20 characters (it has 30)"#,
            r#"/customer/email: "ab" is shorter than the minimum length of 3 characters"#,
            r#"/customer/email: "ab" does not match the pattern "^[^@]+@[^@]+$""#,
            "/customer/name: expected null or string, found integer 3",
            "/tags/1: expected string, found integer 2",
            "/priority: 9 is greater than the maximum of 5",
            r#"/extra: unknown property; the allowed properties are "severity", "score", "team", "customer", "tags", "priority""#,
        ]
    );
}

#[test]
fn missing_properties_are_named() {
    assert_eq!(
        errors_of::<Triage>(json!({"severity": "low", "score": 0.5})),
        [
            "/team: required property is missing",
            "/customer: required property is missing",
            "/tags: required property is missing",
        ]
    );
}

#[test]
fn minimum_and_pattern_alone() {
    let base = json!({"severity": "low", "score": -0.1, "team": "t", "customer": {"email": "nobody"}, "tags": []});
    assert_eq!(
        errors_of::<Triage>(base),
        [
            "/score: -0.1 is less than the minimum of 0.0",
            r#"/customer/email: "nobody" does not match the pattern "^[^@]+@[^@]+$""#,
        ]
    );
}

#[test]
fn serde_errors_after_validation_name_their_path() {
    // `2.0` is an integer for JSON Schema but not for serde's `u8`.
    let input = json!({"severity": "low", "score": 0.5, "team": "t", "customer": {"email": "a@b"}, "tags": [], "priority": 2.0});
    assert_eq!(
        errors_of::<Triage>(input),
        ["/priority: invalid type: floating point `2.0`, expected u8"]
    );
    assert_eq!(
        errors_of::<i64>(json!({"value": 18446744073709551615u64})),
        ["/value: invalid value: integer `18446744073709551615`, expected i64"]
    );
}

#[test]
fn long_values_are_cut_in_messages() {
    let long = "y".repeat(500);
    let errors = errors_of::<Triage>(
        json!({"severity": long, "score": 0.5, "team": "t", "customer": {"email": "a@b"}, "tags": []}),
    );
    assert_eq!(
        errors,
        [format!(
            r#"/severity: "{}… is not one of "low", "medium", "high""#,
            "y".repeat(59)
        )]
    );
}

#[test]
fn externally_tagged_enum() {
    assert_eq!(
        schema_of::<Action>(),
        json!({
            "type": "object",
            "properties": {"value": {"oneOf": [
                {"type": "string", "enum": ["Close"]},
                {"type": "object", "properties": {"Escalate": {"type": "object", "properties": {"team": {"type": "string"}}, "required": ["team"]}}, "required": ["Escalate"], "additionalProperties": false},
                {"type": "object", "properties": {"Reply": {"type": "object", "properties": {"text": {"type": "string", "minLength": 1}}, "required": ["text"]}}, "required": ["Reply"], "additionalProperties": false}
            ]}},
            "required": ["value"],
            "additionalProperties": false
        })
    );
    assert_eq!(
        Action::parse_final_response(obj(json!({"value": "Close"}))).unwrap(),
        Action::Close
    );
    assert_eq!(
        Action::parse_final_response(obj(json!({"value": {"Escalate": {"team": "ops"}}}))).unwrap(),
        Action::Escalate { team: "ops".into() }
    );
    assert_eq!(
        Action::Reply(Reply { text: "hi".into() }).to_text(),
        r#"{"Reply":{"text":"hi"}}"#
    );
    assert_eq!(
        errors_of::<Action>(json!({"value": {"Escalate": {"team": 5}}})),
        ["/value/Escalate/team: expected string, found integer 5"]
    );
    assert_eq!(
        errors_of::<Action>(json!({"value": {"Escalate": {}}})),
        ["/value/Escalate/team: required property is missing"]
    );
    assert_eq!(
        errors_of::<Action>(json!({"value": {"Reply": {"text": ""}}})),
        [r#"/value/Reply/text: "" is shorter than the minimum length of 1 character"#]
    );
    let expected = r#"does not match any of the 3 allowed variants; expected "Close", or an object with the single key "Escalate", or an object with the single key "Reply""#;
    assert_eq!(
        errors_of::<Action>(json!({"value": "Open"})),
        [format!(r#"/value: "Open" {expected}"#)]
    );
    assert_eq!(
        errors_of::<Action>(json!({"value": {"Delete": {}}})),
        [format!(r#"/value: {{"Delete":{{}}}} {expected}"#)]
    );
    assert_eq!(
        errors_of::<Action>(json!({"value": 3})),
        [format!("/value: 3 {expected}")]
    );
}

#[test]
fn internally_tagged_enum() {
    assert_eq!(
        schema_of::<Shape>()["properties"]["value"],
        json!({"oneOf": [
            {"type": "object", "properties": {"kind": {"type": "string", "const": "circle"}, "radius": {"type": "number", "format": "double"}}, "required": ["kind", "radius"]},
            {"type": "object", "properties": {"kind": {"type": "string", "const": "rect"}, "w": {"type": "number", "format": "double"}, "h": {"type": "number", "format": "double"}}, "required": ["kind", "w", "h"]}
        ]})
    );
    let rect =
        Shape::parse_final_response(obj(json!({"value": {"kind": "rect", "w": 2, "h": 3.5}})))
            .unwrap();
    assert_eq!(rect, Shape::Rect { w: 2.0, h: 3.5 });
    assert_eq!(rect.to_text(), r#"{"kind":"rect","w":2.0,"h":3.5}"#);
    assert_eq!(
        errors_of::<Shape>(json!({"value": {"kind": "triangle", "radius": 1}})),
        [r#"/value/kind: "triangle" is not one of "circle", "rect""#]
    );
    assert_eq!(
        errors_of::<Shape>(json!({"value": {"radius": 1}})),
        ["/value/kind: required property is missing"]
    );
    assert_eq!(
        errors_of::<Shape>(json!({"value": {"kind": "circle", "radius": "big"}})),
        [r#"/value/radius: expected number, found string "big""#]
    );
    assert_eq!(
        errors_of::<Shape>(json!({"value": {"kind": "rect", "w": 1}})),
        ["/value/h: required property is missing"]
    );
}

#[test]
fn adjacently_tagged_enum() {
    assert_eq!(
        schema_of::<Event>()["properties"]["value"]["oneOf"][1],
        json!({"type": "object", "properties": {"t": {"type": "string", "const": "Count"}, "c": {"type": "integer", "format": "uint32", "minimum": 0}}, "required": ["t", "c"]})
    );
    assert_eq!(
        Event::parse_final_response(obj(json!({"value": {"t": "Ping"}}))).unwrap(),
        Event::Ping
    );
    assert_eq!(
        Event::parse_final_response(obj(json!({"value": {"t": "Move", "c": {"x": 1, "y": -2}}})))
            .unwrap(),
        Event::Move { x: 1, y: -2 }
    );
    assert_eq!(Event::Count(3).to_text(), r#"{"t":"Count","c":3}"#);
    assert_eq!(
        errors_of::<Event>(json!({"value": {"t": "Count", "c": -1}})),
        ["/value/c: -1 is less than the minimum of 0"]
    );
    assert_eq!(
        errors_of::<Event>(json!({"value": {"t": "Move", "c": {"x": 1}}})),
        ["/value/c/y: required property is missing"]
    );
    assert_eq!(
        errors_of::<Event>(json!({"value": {"t": "Jump"}})),
        [r#"/value/t: "Jump" is not one of "Ping", "Count", "Move""#]
    );
}

#[test]
fn primitive_results_are_wrapped_and_unwrapped() {
    assert_eq!(
        schema_of::<i64>(),
        json!({"type": "object", "properties": {"value": {"type": "integer", "format": "int64"}}, "required": ["value"], "additionalProperties": false})
    );
    assert_eq!(
        i64::parse_final_response(obj(json!({"value": -42}))).unwrap(),
        -42
    );
    assert_eq!((-42i64).to_text(), "-42");
    assert_eq!(i64::type_name(), "i64");
    assert_eq!(
        errors_of::<i64>(json!({"value": "3"})),
        [r#"/value: expected integer, found string "3""#]
    );
    assert_eq!(
        errors_of::<i64>(json!({"value": 3.5})),
        ["/value: expected integer, found number 3.5"]
    );
    assert_eq!(
        errors_of::<u8>(json!({"value": 300})),
        ["/value: 300 is greater than the maximum of 255"]
    );
    assert_eq!(
        errors_of::<i64>(json!({"answer": 3})),
        [
            r#"/answer: unknown property; the allowed properties are "value""#,
            "/value: required property is missing"
        ]
    );
    assert_eq!(
        errors_of::<i64>(json!({"value": 1, "why": "x"})),
        [r#"/why: unknown property; the allowed properties are "value""#]
    );
    assert!(bool::parse_final_response(obj(json!({"value": true}))).unwrap());
    assert_eq!(
        String::parse_final_response(obj(json!({"value": "hé"}))).unwrap(),
        "hé"
    );
    assert_eq!("a\"b".to_owned().to_text(), r#""a\"b""#);
    assert_eq!(
        f64::parse_final_response(obj(json!({"value": 2}))).unwrap(),
        2.0
    );
}

#[test]
fn vec_results_are_wrapped() {
    assert_eq!(
        schema_of::<Vec<String>>(),
        json!({"type": "object", "properties": {"value": {"type": "array", "items": {"type": "string"}}}, "required": ["value"], "additionalProperties": false})
    );
    let parsed = <Vec<String>>::parse_final_response(obj(json!({"value": ["a", "b"]}))).unwrap();
    assert_eq!(parsed, ["a", "b"]);
    assert_eq!(parsed.to_text(), r#"["a","b"]"#);
    assert_eq!(
        errors_of::<Vec<String>>(json!({"value": ["a", 1, null]})),
        [
            "/value/1: expected string, found integer 1",
            "/value/2: expected string, found null"
        ]
    );
    assert_eq!(<Vec<Customer>>::type_name(), "Vec<Customer>");
    assert_eq!(
        errors_of::<Vec<Customer>>(json!({"value": [{"email": "a@b"}, {}]})),
        ["/value/1/email: required property is missing"]
    );
}

#[test]
fn map_results_are_wrapped() {
    assert_eq!(
        schema_of::<HashMap<String, i64>>(),
        json!({"type": "object", "properties": {"value": {"type": "object", "additionalProperties": {"type": "integer", "format": "int64"}}}, "required": ["value"], "additionalProperties": false})
    );
    let map =
        <BTreeMap<String, u32>>::parse_final_response(obj(json!({"value": {"b": 2, "a": 1}})))
            .unwrap();
    assert_eq!(map, BTreeMap::from([("a".into(), 1), ("b".into(), 2)]));
    assert_eq!(map.to_text(), r#"{"a":1,"b":2}"#);
    assert_eq!(
        errors_of::<HashMap<String, i64>>(json!({"value": {"a": 1, "b": "x"}})),
        [r#"/value/b: expected integer, found string "x""#]
    );
    assert_eq!(
        errors_of::<BTreeMap<String, Customer>>(json!({"value": {"ann": {"email": 1}}})),
        ["/value/ann/email: expected string, found integer 1"]
    );
    assert_eq!(<HashMap<String, i64>>::type_name(), "HashMap<String, i64>");
}

#[test]
fn option_results() {
    assert_eq!(
        schema_of::<Option<Severity>>()["properties"]["value"],
        json!({"type": ["string", "null"], "enum": ["low", "medium", "high", null]})
    );
    assert_eq!(
        <Option<Severity>>::parse_final_response(obj(json!({"value": null}))).unwrap(),
        None
    );
    assert_eq!(
        <Option<Severity>>::parse_final_response(obj(json!({"value": "low"}))).unwrap(),
        Some(Severity::Low)
    );
    assert_eq!(None::<Severity>.to_text(), "null");
    assert_eq!(
        errors_of::<Option<Severity>>(json!({"value": "urgent"})),
        [r#"/value: "urgent" is not one of "low", "medium", "high", null"#]
    );
    // `Option<struct>` is an object-or-null: the struct's own errors come back.
    assert_eq!(
        errors_of::<Option<Customer>>(json!({"value": {"email": 7}})),
        ["/value/email: expected string, found integer 7"]
    );
    assert_eq!(
        errors_of::<Option<Customer>>(json!({"value": 7})),
        ["/value: expected null or object, found integer 7"]
    );
}

#[test]
fn existing_derives_are_kept() {
    let schema = schema_of::<Preexisting>();
    assert_eq!(
        schema,
        json!({"type": "object", "properties": {"fullName": {"type": "string"}}, "required": ["fullName"], "additionalProperties": false})
    );
    let value = Preexisting::parse_final_response(obj(json!({"fullName": "Ann"}))).unwrap();
    assert_eq!(value.full_name, "Ann");
    assert_eq!(value.to_text(), r#"{"fullName":"Ann"}"#);
}

#[test]
fn partly_derived_type_with_name_and_description_args() {
    assert_eq!(PartlyDerived::type_name(), "Verdict");
    let tool = PartlyDerived::final_response_tool();
    assert_eq!(
        tool.description.as_deref(),
        Some(
            "Give your final answer by calling this tool once, when you are done: its arguments are the answer, a `Verdict`.\n\n`Verdict`: Whether the claim holds."
        )
    );
    // The user's `#[serde]` attributes shape both the schema and the decoding.
    assert_eq!(
        Value::Object((*tool.input_schema).clone()),
        json!({"type": "object", "properties": {
            "claimHolds": {"type": "boolean"},
            "reasons": {"type": "array", "items": {"type": "string"}, "default": []}
        }, "required": ["claimHolds"], "additionalProperties": false})
    );
    let verdict = PartlyDerived::parse_final_response(obj(json!({"claimHolds": true}))).unwrap();
    assert_eq!(
        verdict,
        PartlyDerived {
            claim_holds: true,
            reasons: vec![]
        }
    );
    assert_eq!(
        errors_of::<PartlyDerived>(json!({"claim_holds": true})),
        [
            r#"/claim_holds: unknown property; the allowed properties are "claimHolds", "reasons""#,
            "/claimHolds: required property is missing"
        ]
    );
}

#[test]
fn newtype_and_generic_results() {
    assert_eq!(
        schema_of::<Score>()["properties"]["value"],
        json!({"type": "integer", "format": "uint32", "minimum": 0, "maximum": 10})
    );
    assert_eq!(
        Score::parse_final_response(obj(json!({"value": 7}))).unwrap(),
        Score(7)
    );
    assert_eq!(Score(7).to_text(), "7");
    assert_eq!(
        errors_of::<Score>(json!({"value": 11})),
        ["/value: 11 is greater than the maximum of 10"]
    );

    assert_eq!(<Page<Customer>>::type_name(), "Page<Customer>");
    let page =
        <Page<u8>>::parse_final_response(obj(json!({"items": [1, 2], "next": null}))).unwrap();
    assert_eq!(
        page,
        Page {
            items: vec![1, 2],
            next: None
        }
    );
    assert_eq!(
        errors_of::<Page<u8>>(json!({"items": [1, 256]})),
        ["/items/1: 256 is greater than the maximum of 255"]
    );
    // Each instantiation has its own schema.
    assert_eq!(
        schema_of::<Page<String>>()["properties"]["items"]["items"],
        json!({"type": "string"})
    );
}

#[test]
fn hostile_payloads_never_panic() {
    let deep = (0..100).fold(json!(1), |inner, _| json!([inner]));
    let payloads = [
        json!({}),
        json!({"value": null}),
        json!({"value": deep}),
        json!({"severity": {"$ref": "#"}, "score": "NaN", "customer": [], "tags": {}}),
        json!({"value": {"kind": null, "t": [], "Escalate": null}}),
        json!({"value": "x".repeat(100_000)}),
        json!({"value": (0..1000).collect::<Vec<_>>(), "extra": 1}),
    ];
    for payload in payloads {
        let _ = Triage::parse_final_response(obj(payload.clone()));
        let _ = Action::parse_final_response(obj(payload.clone()));
        let _ = Shape::parse_final_response(obj(payload.clone()));
        let _ = Event::parse_final_response(obj(payload.clone()));
        let _ = <Vec<String>>::parse_final_response(obj(payload.clone()));
        let _ = <Option<Severity>>::parse_final_response(obj(payload.clone()));
        let _ = i64::parse_final_response(obj(payload));
    }
    // Many violations are capped, with a count of the rest.
    let errors = errors_of::<Vec<String>>(json!({"value": (0..50).collect::<Vec<_>>()}));
    assert_eq!(errors.len(), 20);
    assert_eq!(errors[0], "/value/0: expected string, found integer 0");
    assert_eq!(errors[19], "... and 31 more violations");
}

#[test]
fn violation_report_format() {
    let errors = errors_of::<Triage>(
        json!({"severity": "low", "score": 2, "team": "t", "customer": {"email": "a@b"}, "tags": []}),
    );
    assert_eq!(
        rmcp_sampling::schema::violation_report(Triage::type_name(), &errors),
        "The final_response arguments do not match the `Triage` schema:\n- /score: 2 is greater than the maximum of 1.0\nCall final_response again with corrected arguments."
    );
}

/// An amount (untagged: an `anyOf` of the variants' schemas).
#[structured_result]
#[derive(Debug, PartialEq)]
#[serde(untagged)]
enum Amount {
    Exact(u64),
    Range { from: u64, to: u64 },
}

#[test]
fn untagged_enum() {
    assert_eq!(
        schema_of::<Amount>()["properties"]["value"],
        json!({"anyOf": [
            {"type": "integer", "format": "uint64", "minimum": 0},
            {"type": "object", "properties": {"from": {"type": "integer", "format": "uint64", "minimum": 0}, "to": {"type": "integer", "format": "uint64", "minimum": 0}}, "required": ["from", "to"]}
        ]})
    );
    assert_eq!(
        Amount::parse_final_response(obj(json!({"value": 5}))).unwrap(),
        Amount::Exact(5)
    );
    assert_eq!(
        Amount::parse_final_response(obj(json!({"value": {"from": 1, "to": 2}}))).unwrap(),
        Amount::Range { from: 1, to: 2 }
    );
    assert_eq!(
        Amount::Range { from: 1, to: 2 }.to_text(),
        r#"{"from":1,"to":2}"#
    );
    // The object variant is the one meant: its own error comes back.
    assert_eq!(
        errors_of::<Amount>(json!({"value": {"from": 1}})),
        ["/value/to: required property is missing"]
    );
    assert_eq!(
        errors_of::<Amount>(json!({"value": "five"})),
        [
            r#"/value: "five" does not match any of the 2 allowed variants; expected an integer, or an object"#
        ]
    );
}

/// A plan, with serde and schemars derives only.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[serde(rename_all = "camelCase")]
struct PlainPlan {
    plan_name: String,
    #[schemars(range(max = 500))]
    seat_count: u32,
}

/// A plan named through its schema title.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
#[schemars(title = "Offer")]
struct TitledPlan {
    name: String,
}

/// A generic type with plain derives.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
struct Bundle<T> {
    items: Vec<T>,
}

#[test]
fn plain_derive_types_are_results() {
    assert_eq!(PlainPlan::type_name(), "PlainPlan");
    assert_eq!(
        PlainPlan::final_response_tool().description.as_deref(),
        Some(
            "Give your final answer by calling this tool once, when you are done: its arguments are the answer, a `PlainPlan`.\n\n`PlainPlan`: A plan, with serde and schemars derives only."
        )
    );
    assert_eq!(
        schema_of::<PlainPlan>(),
        json!({"type": "object", "properties": {
            "planName": {"type": "string"},
            "seatCount": {"type": "integer", "format": "uint32", "minimum": 0, "maximum": 500}
        }, "required": ["planName", "seatCount"], "additionalProperties": false})
    );
    let plan =
        PlainPlan::parse_final_response(obj(json!({"planName": "pro", "seatCount": 3}))).unwrap();
    assert_eq!(plan.seat_count, 3);
    assert_eq!(plan.to_text(), r#"{"planName":"pro","seatCount":3}"#);
    assert_eq!(
        errors_of::<PlainPlan>(json!({"planName": "pro", "seatCount": 501})),
        ["/seatCount: 501 is greater than the maximum of 500"]
    );

    // A `#[schemars(title)]` names the result; the title is not part of the schema.
    assert_eq!(TitledPlan::type_name(), "Offer");
    assert!(schema_of::<TitledPlan>().get("title").is_none());
    // A generic type is named as the Rust type is, not as schemars names it.
    assert_eq!(<Bundle<PlainPlan>>::type_name(), "Bundle<PlainPlan>");
    // Containers of plain types work as before.
    assert_eq!(
        <Vec<PlainPlan>>::parse_final_response(obj(
            json!({"value": [{"planName": "a", "seatCount": 1}]})
        ))
        .unwrap()
        .len(),
        1
    );
}

#[test]
fn final_response_refuses_unknown_properties() {
    // `Customer` has no `deny_unknown_fields`: the tool's schema refuses extra fields anyway,
    // at its root, as a `#[sampling_tool]`'s does, so an LLM's stray field is reported.
    assert_eq!(
        schema_of::<Customer>()["additionalProperties"],
        json!(false)
    );
    assert_eq!(
        errors_of::<Customer>(json!({"email": "a@b.c", "nickname": "Al", "age": 3})),
        [
            "/nickname: unknown property; the allowed properties are \"email\", \"name\"",
            "/age: unknown property; the allowed properties are \"email\", \"name\""
        ]
    );
    // Nested objects keep the type's own rule (serde ignores their unknown fields).
    assert!(
        schema_of::<Triage>()["properties"]["customer"]
            .get("additionalProperties")
            .is_none()
    );
}

/// A result with a flattened map of extra properties.
#[derive(Debug, PartialEq, serde::Serialize, serde::Deserialize, schemars::JsonSchema)]
struct Labels {
    name: String,
    #[serde(flatten)]
    extra: BTreeMap<String, u32>,
}

#[test]
fn a_flattened_map_keeps_its_additional_properties() {
    assert_eq!(
        schema_of::<Labels>()["additionalProperties"],
        json!({"type": "integer", "format": "uint32", "minimum": 0})
    );
    let labels = Labels::parse_final_response(obj(json!({"name": "x", "stars": 3}))).unwrap();
    assert_eq!(labels.extra["stars"], 3);
}
