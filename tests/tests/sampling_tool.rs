//! `#[sampling_tool]` at run time: generated tools called on JSON arguments, as the loop calls
//! them, and the functions still callable as written. Compiled under `missing_docs` and
//! `unused_qualifications` so the generated code cannot add lints to a user's crate.
#![deny(missing_docs, unused_qualifications)]

use std::fmt;
use std::panic::AssertUnwindSafe;
use std::sync::Mutex;
use std::sync::atomic::{AtomicU32, Ordering};

use futures::FutureExt;
use rmcp_sampling::tools::{ToolCallError, ToolCallErrorKind, ToolOutput, Toolset, ToolsetError};
use rmcp_sampling::{SamplingTool, ToolError, sampling_tool};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value, json};

/// A customer record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, schemars::JsonSchema)]
pub struct Customer {
    /// Their email.
    pub email: String,
    /// Orders placed.
    pub orders: u32,
}

/// Add two integers.
#[sampling_tool]
pub fn add(a: i64, b: i64) -> i64 {
    a + b
}

/// Look up a customer by email.
///
/// Returns the customer record as JSON.
#[sampling_tool(sequential)]
pub async fn find_customer(
    /// The customer's email address.
    email: String,
    /// How many orders to count at most.
    limit: Option<u32>,
) -> Result<Customer, ToolError> {
    if email.contains('@') {
        Ok(Customer {
            email,
            orders: limit.unwrap_or(3).min(3),
        })
    } else {
        Err(ToolError::new(format!("`{email}` is not an email address")))
    }
}

/// An error whose details stay on the server.
#[derive(Debug)]
pub struct DbError;

impl fmt::Display for DbError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("connection refused by db-7.internal")
    }
}

/// Fails with an error that is not a `ToolError`.
#[sampling_tool(name = "query_db", description = "Run a query.")]
pub fn query(sql: String) -> Result<String, DbError> {
    let _ = sql;
    Err(DbError)
}

/// Greets someone.
#[sampling_tool]
pub fn greet(
    #[arg(rename = "who", description = "Whom to greet.")] name: String,
    #[arg(default)] times: u8,
) -> String {
    let times = usize::from(times.max(1));
    vec![format!("Hello, {name}!"); times].join(" ")
}

/// Says nothing back.
#[sampling_tool]
pub fn noop() {}

/// Panics.
#[sampling_tool]
pub fn explode(reason: String) -> String {
    panic!("exploded: {reason}")
}

/// State that tools borrow.
#[derive(Default)]
pub struct Store {
    calls: AtomicU32,
    notes: Mutex<Vec<String>>,
}

impl Store {
    /// Record a note.
    #[sampling_tool]
    pub fn note(&self, text: String) -> usize {
        self.calls.fetch_add(1, Ordering::SeqCst);
        let mut notes = self.notes.lock().unwrap();
        notes.push(text);
        notes.len()
    }

    /// Read a note back by index.
    #[sampling_tool(name = "read_note")]
    pub async fn read(&self, index: usize) -> Result<String, ToolError> {
        self.calls.fetch_add(1, Ordering::SeqCst);
        self.notes
            .lock()
            .unwrap()
            .get(index)
            .cloned()
            .ok_or_else(|| ToolError::new(format!("no note #{index}")))
    }
}

fn object(value: Value) -> Map<String, Value> {
    match value {
        Value::Object(object) => object,
        other => panic!("not an object: {other}"),
    }
}

async fn call(tool: &SamplingTool<'_>, args: Value) -> Result<ToolOutput, ToolCallError> {
    tool.call(&object(args)).await
}

async fn call_text(tool: &SamplingTool<'_>, args: Value) -> String {
    call(tool, args)
        .await
        .unwrap_or_else(|error| panic!("{} failed: {error}", tool.name()))
        .into_text()
}

async fn call_err(tool: &SamplingTool<'_>, args: Value) -> ToolCallError {
    match call(tool, args).await {
        Ok(output) => panic!("{} succeeded: {}", tool.name(), output.as_text()),
        Err(error) => error,
    }
}

#[test]
fn functions_stay_callable_as_written() {
    assert_eq!(add(2, 3), 5);
    assert_eq!(greet("Ann".into(), 2), "Hello, Ann! Hello, Ann!");
    let customer = futures::executor::block_on(find_customer("a@b.c".into(), Some(1)));
    assert_eq!(customer.unwrap().orders, 1);
    let store = Store::default();
    assert_eq!(store.note("x".into()), 1);
    assert_eq!(futures::executor::block_on(store.read(0)).unwrap(), "x");
}

#[test]
fn name_description_and_sequential() {
    let tool = add_tool();
    assert_eq!(tool.name(), "add");
    assert_eq!(tool.description(), Some("Add two integers."));
    assert!(!tool.is_sequential());

    let tool = find_customer_tool();
    assert_eq!(tool.name(), "find_customer");
    assert_eq!(
        tool.description(),
        Some("Look up a customer by email.\n\nReturns the customer record as JSON.")
    );
    assert!(tool.is_sequential());

    let tool = query_tool();
    assert_eq!(tool.name(), "query_db");
    assert_eq!(tool.description(), Some("Run a query."));

    let store = Store::default();
    assert_eq!(store.read_tool().name(), "read_note");
    assert_eq!(store.note_tool().description(), Some("Record a note."));
}

#[tokio::test]
async fn calls_on_json_arguments() {
    assert_eq!(call_text(&add_tool(), json!({"a": 2, "b": 40})).await, "42");
    assert_eq!(
        call_text(&find_customer_tool(), json!({"email": "a@b.c"})).await,
        r#"{"email":"a@b.c","orders":3}"#
    );
    assert_eq!(
        call_text(&find_customer_tool(), json!({"email": "a@b.c", "limit": 1})).await,
        r#"{"email":"a@b.c","orders":1}"#
    );
    assert_eq!(
        call_text(
            &find_customer_tool(),
            json!({"email": "a@b.c", "limit": null})
        )
        .await,
        r#"{"email":"a@b.c","orders":3}"#
    );
    // Strings are sent as they are, not as JSON strings.
    assert_eq!(
        call_text(&greet_tool(), json!({"who": "Bo"})).await,
        "Hello, Bo!"
    );
    assert_eq!(
        call_text(&greet_tool(), json!({"who": "Bo", "times": 2})).await,
        "Hello, Bo! Hello, Bo!"
    );
    assert_eq!(call_text(&noop_tool(), json!({})).await, "null");
}

#[tokio::test]
async fn bad_arguments_name_the_json_path() {
    let tool = find_customer_tool();
    let error = call_err(&tool, json!({"email": "a@b.c", "limit": "ten"})).await;
    assert_eq!(error.kind(), ToolCallErrorKind::InvalidArguments);
    assert_eq!(
        error.message(),
        r#"limit: invalid type: string "ten", expected u32"#
    );
    assert!(error.is_public());

    let error = call_err(&tool, json!({"limit": 2})).await;
    assert_eq!(error.kind(), ToolCallErrorKind::InvalidArguments);
    assert_eq!(error.message(), "missing field `email`");

    let error = call_err(&tool, json!({"email": "a@b.c", "verbose": true})).await;
    assert_eq!(error.kind(), ToolCallErrorKind::InvalidArguments);
    assert_eq!(
        error.message(),
        "verbose: unknown field `verbose`, expected `email` or `limit`"
    );

    let error = call_err(&add_tool(), json!({"a": 1, "b": 1.5})).await;
    assert_eq!(
        error.message(),
        "b: invalid type: floating point `1.5`, expected i64"
    );

    // A renamed parameter is known only by its JSON name.
    let error = call_err(&greet_tool(), json!({"name": "Bo"})).await;
    assert_eq!(
        error.message(),
        "name: unknown field `name`, expected `who` or `times`"
    );
    let error = call_err(&greet_tool(), json!({"who": "Bo", "times": 300})).await;
    assert_eq!(
        error.message(),
        "times: invalid value: integer `300`, expected u8"
    );

    let error = call_err(&noop_tool(), json!({"x": 1})).await;
    assert_eq!(error.message(), "x: unknown field `x`, there are no fields");
}

#[tokio::test]
async fn tool_errors_are_public_other_errors_are_not() {
    let error = call_err(&find_customer_tool(), json!({"email": "nobody"})).await;
    assert_eq!(error.kind(), ToolCallErrorKind::Failed { public: true });
    assert_eq!(error.message(), "`nobody` is not an email address");
    assert!(error.is_public());

    let error = call_err(&query_tool(), json!({"sql": "select 1"})).await;
    assert_eq!(error.kind(), ToolCallErrorKind::Failed { public: false });
    assert_eq!(error.message(), "connection refused by db-7.internal");
    assert!(!error.is_public());
}

#[tokio::test]
async fn sync_functions_run_inside_the_future() {
    let tool = explode_tool();
    // Building the call runs nothing: the panic happens where the loop polls, and it catches it.
    let future = tool.call(&object(json!({"reason": "boom"})));
    let panic = AssertUnwindSafe(future).catch_unwind().await.unwrap_err();
    assert_eq!(panic.downcast_ref::<String>().unwrap(), "exploded: boom");
}

#[tokio::test]
async fn methods_are_bound_to_their_receiver() {
    let store = Store::default();
    let note = store.note_tool();
    let read = store.read_tool();
    assert_eq!(call_text(&note, json!({"text": "first"})).await, "1");
    assert_eq!(call_text(&note, json!({"text": "second"})).await, "2");
    assert_eq!(call_text(&read, json!({"index": 1})).await, "second");
    let error = call_err(&read, json!({"index": 7})).await;
    assert_eq!(error.message(), "no note #7");
    assert!(error.is_public());
    assert_eq!(store.calls.load(Ordering::SeqCst), 4);
    assert_eq!(*store.notes.lock().unwrap(), ["first", "second"]);
}

/// Same name as `add`.
#[sampling_tool(name = "add")]
pub fn plus(a: i64, b: i64) -> i64 {
    a + b
}

#[test]
fn duplicate_names_are_rejected_by_the_toolset() {
    let error = Toolset::try_from_tools([add_tool(), greet_tool(), plus_tool()]).unwrap_err();
    assert_eq!(error, ToolsetError::DuplicateName("add".into()));
    assert!(
        error
            .to_string()
            .contains("two sampling tools are named `add`")
    );

    let store = Store::default();
    let set = Toolset::try_from_tools([add_tool(), store.note_tool(), store.read_tool()]).unwrap();
    let names: Vec<&str> = set.iter().map(SamplingTool::name).collect();
    assert_eq!(names, ["add", "note", "read_note"]);
}
