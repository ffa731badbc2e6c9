//! A set of tools with unique names, offered together to the LLM.

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
    /// Indices into `tools`, sorted by name: a lookup is a binary search, with no hashing or
    /// owned key per tool (a loop looks up the tool of every call it runs).
    by_name: Vec<usize>,
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
        match self.position(tool.name()) {
            Ok(_) => Err(ToolsetError::DuplicateName(tool.name().to_owned())),
            Err(slot) => {
                self.by_name.insert(slot, self.tools.len());
                self.tools.push(tool);
                Ok(())
            }
        }
    }

    /// The tool with this name.
    pub fn get(&self, name: &str) -> Option<&SamplingTool<'a>> {
        let index = self.by_name[self.position(name).ok()?];
        Some(&self.tools[index])
    }

    /// Where `name` is in `by_name`, or where it would go.
    fn position(&self, name: &str) -> Result<usize, usize> {
        self.by_name
            .binary_search_by(|&index| self.tools[index].name().cmp(name))
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

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use super::*;
    use crate::tools::tool::ToolOutput;

    fn tool(name: &str) -> SamplingTool<'static> {
        SamplingTool::from_raw(name.to_owned(), Arc::default(), |_| {
            Box::pin(async { Ok(ToolOutput::text("")) })
        })
    }

    #[test]
    fn every_tool_is_found_by_its_name_whatever_the_order_they_came_in() {
        let names = ["lookup", "add", "zeta", "Add", "b", "a_b", "ab"];
        let set = Toolset::try_from_tools(names.map(tool)).unwrap();
        for name in names {
            assert_eq!(set.get(name).map(SamplingTool::name), Some(name));
        }
        for absent in ["", "A", "addd", "zz", "lookup "] {
            assert!(set.get(absent).is_none(), "{absent:?}");
        }
        let listed: Vec<&str> = set.iter().map(SamplingTool::name).collect();
        assert_eq!(listed, names);
        assert_eq!(
            Toolset::try_from_tools(["b", "a", "b"].map(tool)).unwrap_err(),
            ToolsetError::DuplicateName("b".into())
        );
    }
}
