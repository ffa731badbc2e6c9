//! A set of tools with unique names, offered together to the LLM.

use std::collections::HashMap;

use crate::error::ToolsetError;
use crate::message::ToolSpec;
use crate::schema::FINAL_RESPONSE;
use crate::tools::IntoSamplingTool;
use crate::tools::tool::SamplingTool;

/// Tools offered together in one sampling loop; names are unique and `final_response` is
/// reserved for typed results.
#[derive(Debug, Clone, Default)]
pub struct Toolset<'a> {
    tools: Vec<SamplingTool<'a>>,
    by_name: HashMap<String, usize>,
}

impl<'a> Toolset<'a> {
    /// An empty toolset.
    pub fn new() -> Self {
        Self::default()
    }

    /// A toolset from tools, refusing duplicate and reserved names.
    pub fn try_from_tools(
        tools: impl IntoIterator<Item = impl IntoSamplingTool<'a>>,
    ) -> Result<Self, ToolsetError> {
        let mut set = Self::new();
        for tool in tools {
            set.push(tool.into_sampling_tool())?;
        }
        Ok(set)
    }

    /// Adds a tool, refusing a name already taken or `final_response`.
    pub fn push(&mut self, tool: SamplingTool<'a>) -> Result<(), ToolsetError> {
        if tool.name() == FINAL_RESPONSE {
            return Err(ToolsetError::ReservedName(tool.name().to_owned()));
        }
        if self.by_name.contains_key(tool.name()) {
            return Err(ToolsetError::DuplicateName(tool.name().to_owned()));
        }
        self.by_name
            .insert(tool.name().to_owned(), self.tools.len());
        self.tools.push(tool);
        Ok(())
    }

    /// The tool with this name.
    pub fn get(&self, name: &str) -> Option<&SamplingTool<'a>> {
        self.by_name.get(name).map(|&index| &self.tools[index])
    }

    /// The tools in the order they were added.
    pub fn iter(&self) -> impl Iterator<Item = &SamplingTool<'a>> {
        self.tools.iter()
    }

    /// How many tools there are.
    pub fn len(&self) -> usize {
        self.tools.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.tools.is_empty()
    }

    /// The tools as the LLM is offered them.
    pub fn specs(&self) -> Vec<ToolSpec> {
        self.tools.iter().map(SamplingTool::spec).collect()
    }
}
