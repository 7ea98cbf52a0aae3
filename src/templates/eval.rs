//! A second evaluator of the templates Tera has parsed, for the pages a site has thousands of.
//!
//! Tera resolves each `{{ a.b }}` by building JSON-pointer strings, copies every macro
//! argument into the macro's frame and renders each macro call into a string of its own:
//! on a site of 1,000 incidents that was half of a build's instructions. This walks Tera's
//! own syntax tree, so the template language, its parser and its errors stay Tera's, with
//! borrowed values and plain lookups, following Tera's rules for scope, escaping,
//! truthiness, blocks and macro resolution step by step.
//!
//! It covers a subset: text, `{{ }}` with the `safe` and `fill` filters, `if`/`elif`/`else`
//! with `and`, `or`, `not` and comparisons, `for` over arrays (with `loop.index`, `index0`,
//! `first`, `last` and `else`), `extends` and `block`, `include`, and macros. A template
//! reaching anything else (`set`, `super()`, tests, maths, other filters, functions, `break`)
//! is rendered by Tera, and so is any page on which evaluation meets something it does not
//! replicate exactly, such as an undefined variable: Tera renders that page again, with its
//! own error if it has one. Debug builds, and so every test, render each page both ways and
//! fail on any difference (see [`super::Templates::render`]).

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use tera::ast::{
    Block, Expr, ExprVal, Forloop, FunctionCall, LogicOperator, MacroCall, MathOperator, Node,
};
use tera::{Context, Number, Template, Tera, Value};

/// Where a page's top-level names are found: a Tera context, or values borrowed
/// from the caller, which spares each page a copy of what it shows.
pub trait Scope {
    fn get(&self, key: &str) -> Option<&Value>;
}

impl Scope for Context {
    fn get(&self, key: &str) -> Option<&Value> {
        Context::get(self, key)
    }
}

impl Scope for &[(&str, &Value)] {
    fn get(&self, key: &str) -> Option<&Value> {
        self.iter().find(|(k, _)| *k == key).map(|(_, v)| *v)
    }
}

/// Evaluation met something that only Tera renders exactly: Tera renders the page.
#[derive(Debug)]
pub struct Fallback;

type Result<T> = std::result::Result<T, Fallback>;

pub struct Evaluator {
    /// Templates whose every reachable part is in the subset.
    supported: HashSet<String>,
    /// As Tera's macro collection: for each template, each macro namespace it
    /// can call and the template that defines those macros.
    namespaces: HashMap<String, HashMap<String, String>>,
}

impl Evaluator {
    pub fn new(tera: &Tera) -> Evaluator {
        let names: Vec<String> = tera.get_template_names().map(str::to_string).collect();
        let mut namespaces = HashMap::new();
        for name in &names {
            if let Ok(template) = tera.get_template(name) {
                if add_namespaces(tera, template, &mut namespaces).is_none() {
                    namespaces.remove(name);
                }
            }
        }
        let supported = names
            .iter()
            .filter(|name| namespaces.contains_key(*name) && all_supported(tera, name))
            .cloned()
            .collect();
        Evaluator {
            supported,
            namespaces,
        }
    }

    pub fn supports(&self, name: &str) -> bool {
        self.supported.contains(name)
    }

    /// Renders `name` as Tera would, or says that only Tera can.
    pub fn render(&self, tera: &Tera, name: &str, context: &dyn Scope) -> Result<String> {
        let template = tera.get_template(name).map_err(|_| Fallback)?;
        let root = match template.parents.last() {
            Some(parent) => tera.get_template(parent).map_err(|_| Fallback)?,
            None => template,
        };
        let named = template.path.as_deref().unwrap_or(&template.name);
        let mut run = Run {
            tera,
            namespaces: &self.namespaces,
            context,
            template,
            root,
            should_escape: tera.autoescape_suffixes.iter().any(|s| named.ends_with(s)),
            frames: Vec::new(),
            last_block: None,
        };
        let mut out = String::with_capacity(16 * 1024);
        run.body(&root.ast, &mut out)?;
        Ok(out)
    }
}

/// Tera's `MacroCollection::add_macros_from_template`, computed once for every template.
fn add_namespaces(
    tera: &Tera,
    template: &Template,
    out: &mut HashMap<String, HashMap<String, String>>,
) -> Option<()> {
    if out.contains_key(&template.name) {
        return Some(());
    }
    let mut map = HashMap::new();
    if !template.macros.is_empty() {
        map.insert("self".to_string(), template.name.clone());
    }
    for (file, namespace) in &template.imported_macro_files {
        let imported = tera.get_template(file).ok()?;
        map.insert(namespace.clone(), file.clone());
        add_namespaces(tera, imported, out)?;
        for (ns, t) in out.get(&imported.name)? {
            map.entry(ns.clone()).or_insert_with(|| t.clone());
        }
    }
    out.insert(template.name.clone(), map);
    for parent in &template.parents {
        let parent = tera.get_template(parent).ok()?;
        add_namespaces(tera, parent, out)?;
        let inherited = out.get(&parent.name)?.clone();
        let own = out.get_mut(&template.name)?;
        for (ns, t) in inherited {
            own.entry(ns).or_insert(t);
        }
    }
    Some(())
}

/// Whether every template `name` can reach (parents, macro files, includes) is in the subset.
fn all_supported(tera: &Tera, name: &str) -> bool {
    let mut seen = HashSet::new();
    let mut todo = vec![name.to_string()];
    while let Some(name) = todo.pop() {
        if !seen.insert(name.clone()) {
            continue;
        }
        let Ok(template) = tera.get_template(&name) else {
            return false;
        };
        if !template.ast.iter().all(|n| node_supported(n, &mut todo)) {
            return false;
        }
        todo.extend(template.parents.iter().cloned());
        todo.extend(template.imported_macro_files.iter().map(|(f, _)| f.clone()));
    }
    true
}

fn node_supported(node: &Node, includes: &mut Vec<String>) -> bool {
    let all = |nodes: &[Node], includes: &mut Vec<String>| {
        nodes.iter().all(|n| node_supported(n, includes))
    };
    match node {
        Node::Text(_)
        | Node::Raw(..)
        | Node::Comment(..)
        | Node::ImportMacro(..)
        | Node::Extends(..) => true,
        Node::VariableBlock(_, expr) => expr_supported(expr),
        Node::MacroDefinition(_, def, _) => {
            all(&def.body, includes) && def.args.values().flatten().all(expr_supported)
        }
        Node::Include(_, names, _) => {
            includes.extend(names.iter().cloned());
            true
        }
        Node::Block(_, block, _) => all(&block.body, includes),
        Node::Forloop(_, f, _) => {
            f.key.is_none()
                && matches!(f.container.val, ExprVal::Ident(_))
                && expr_supported(&f.container)
                && all(&f.body, includes)
                && f.empty_body.as_deref().is_none_or(|b| all(b, includes))
        }
        Node::If(i, _) => {
            i.conditions.iter().all(|(_, e, b)| {
                expr_supported(e)
                    && matches!(
                        e.val,
                        ExprVal::Ident(_)
                            | ExprVal::Logic(_)
                            | ExprVal::Bool(_)
                            | ExprVal::String(_)
                            | ExprVal::Int(_)
                            | ExprVal::Float(_)
                            | ExprVal::Math(_)
                            | ExprVal::MacroCall(_)
                    )
                    && all(b, includes)
            }) && i.otherwise.as_ref().is_none_or(|(_, b)| all(b, includes))
        }
        Node::Set(..)
        | Node::FilterSection(..)
        | Node::Super
        | Node::Break(_)
        | Node::Continue(_) => false,
    }
}

fn expr_supported(expr: &Expr) -> bool {
    let filters = expr.filters.iter().all(|f| match f.name.as_str() {
        "safe" | "length" => true,
        "fill" => f.args.values().all(expr_supported),
        _ => false,
    });
    filters
        && match &expr.val {
            ExprVal::String(_) | ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Bool(_) => true,
            // Quotes and brackets index by value; the dump variable prints the context.
            ExprVal::Ident(key) => {
                !key.is_empty()
                    && key != "__tera_context"
                    && key
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
            }
            ExprVal::MacroCall(call) => call.args.values().all(expr_supported),
            ExprVal::Logic(l) => expr_supported(&l.lhs) && expr_supported(&l.rhs),
            ExprVal::Math(m) => {
                matches!(
                    m.operator,
                    MathOperator::Add | MathOperator::Sub | MathOperator::Mul
                ) && expr_supported(&m.lhs)
                    && expr_supported(&m.rhs)
            }
            _ => false,
        }
}

enum Frame<'a> {
    Loop {
        name: &'a str,
        items: &'a [Value],
        index: usize,
        template: &'a Template,
    },
    Macro {
        args: Vec<(&'a str, Cow<'a, Value>)>,
        template: &'a Template,
    },
    Include {
        template: &'a Template,
    },
}

struct Run<'a> {
    tera: &'a Tera,
    namespaces: &'a HashMap<String, HashMap<String, String>>,
    context: &'a dyn Scope,
    /// The template rendered, and the top of its inheritance chain, whose tree is walked.
    template: &'a Template,
    root: &'a Template,
    should_escape: bool,
    frames: Vec<Frame<'a>>,
    /// Where the last block rendered was found: Tera resolves macro calls from
    /// there, and (as Tera) it is never reset.
    last_block: Option<&'a str>,
}

impl<'a> Run<'a> {
    fn active_template(&self) -> &'a Template {
        match self.frames.last() {
            Some(Frame::Loop { template, .. })
            | Some(Frame::Macro { template, .. })
            | Some(Frame::Include { template }) => template,
            None => self.template,
        }
    }

    fn body(&mut self, nodes: &'a [Node], out: &mut String) -> Result<()> {
        nodes.iter().try_for_each(|n| self.node(n, out))
    }

    fn node(&mut self, node: &'a Node, out: &mut String) -> Result<()> {
        match node {
            Node::Text(s) | Node::Raw(_, s, _) => out.push_str(s),
            Node::Comment(..) | Node::ImportMacro(..) | Node::MacroDefinition(..) => {}
            Node::VariableBlock(_, expr) => match &expr.val {
                // A macro's output is written as it is, never escaped: straight into the page.
                ExprVal::MacroCall(call) if expr.filters.is_empty() && !expr.negated => {
                    self.macro_call(call, out)?
                }
                // `{{ t.key | fill(...) | safe }}`, the commonest of all: straight into the page too.
                ExprVal::Ident(key)
                    if !expr.negated
                        && expr.filters.len() == 2
                        && expr.filters[0].name == "fill"
                        && expr.filters[1].name == "safe" =>
                {
                    let pattern = self.lookup(key).ok_or(Fallback)?;
                    self.fill(&pattern, &expr.filters[0], out)?;
                }
                _ => {
                    let (value, escape) = self.eval_raw(expr)?;
                    match &*value {
                        Value::String(s) if escape => escape_html_into(s, out),
                        v => render_value(v, out),
                    }
                }
            },
            Node::If(i, _) => {
                for (_, cond, body) in &i.conditions {
                    if self.truth(cond)? {
                        return self.body(body, out);
                    }
                }
                if let Some((_, body)) = &i.otherwise {
                    self.body(body, out)?;
                }
            }
            Node::Forloop(_, f, _) => self.for_loop(f, out)?,
            Node::Block(_, block, _) => self.block(block, 0, out)?,
            Node::Include(_, names, ignore_missing) => {
                for name in names {
                    if let Ok(template) = self.tera.get_template(name) {
                        self.frames.push(Frame::Include { template });
                        self.body(&template.ast, out)?;
                        self.frames.pop();
                        return Ok(());
                    }
                }
                if !ignore_missing {
                    return Err(Fallback);
                }
            }
            _ => return Err(Fallback),
        }
        Ok(())
    }

    fn for_loop(&mut self, f: &'a Forloop, out: &mut String) -> Result<()> {
        if f.key.is_some() || !matches!(f.container.val, ExprVal::Ident(_)) {
            return Err(Fallback);
        }
        let items: &'a [Value] = match self.safe_eval(&f.container)? {
            Cow::Borrowed(Value::Array(items)) => items,
            _ => return Err(Fallback),
        };
        if items.is_empty() {
            if let Some(body) = &f.empty_body {
                self.body(body, out)?;
            }
            return Ok(());
        }
        let template = self.active_template();
        self.frames.push(Frame::Loop {
            name: &f.value,
            items,
            index: 0,
            template,
        });
        for i in 0..items.len() {
            if let Some(Frame::Loop { index, .. }) = self.frames.last_mut() {
                *index = i;
            }
            self.body(&f.body, out)?;
        }
        self.frames.pop();
        Ok(())
    }

    /// Tera's `render_block`: the most derived definition, searched from the active template up.
    fn block(&mut self, block: &'a Block, level: usize, out: &mut String) -> Result<()> {
        let active = self.active_template();
        let at_level = match level {
            0 => active,
            _ => {
                let parent = active.parents.get(level - 1).ok_or(Fallback)?;
                self.tera.get_template(parent).map_err(|_| Fallback)?
            }
        };
        if let Some(definitions) = at_level.blocks_definitions.get(&block.name) {
            let (_, definition) = definitions.first().ok_or(Fallback)?;
            self.last_block = Some(&at_level.name);
            return self.body(&definition.body, out);
        }
        if level < active.parents.len() {
            return self.block(block, level + 1, out);
        }
        self.body(&block.body, out)
    }

    fn macro_call(&mut self, call: &'a MacroCall, out: &mut String) -> Result<()> {
        let from: &str = match self.last_block {
            Some(name) => name,
            None if self.template.name != self.root.name => &self.root.name,
            None => &self.active_template().name,
        };
        let file = self
            .namespaces
            .get(from)
            .and_then(|n| n.get(&call.namespace))
            .ok_or(Fallback)?;
        let template = self.tera.get_template(file).map_err(|_| Fallback)?;
        let definition = template.macros.get(&call.name).ok_or(Fallback)?;
        let mut args = Vec::with_capacity(definition.args.len());
        for (name, default) in &definition.args {
            let expr = call.args.get(name).or(default.as_ref()).ok_or(Fallback)?;
            args.push((name.as_str(), self.safe_eval(expr)?));
        }
        self.frames.push(Frame::Macro { args, template });
        self.body(&definition.body, out)?;
        self.frames.pop();
        Ok(())
    }

    /// The `fill` filter applied to `pattern`, written at the end of `out`.
    fn fill(&mut self, pattern: &Value, filter: &'a FunctionCall, out: &mut String) -> Result<()> {
        let mut args = Vec::with_capacity(filter.args.len());
        for (name, arg) in &filter.args {
            args.push((name.as_str(), self.safe_eval(arg)?));
        }
        let args: Vec<(&str, &Value)> = args.iter().map(|(n, v)| (*n, &**v)).collect();
        let mark = out.len();
        super::fill_into(pattern, &args, out).map_err(|_| {
            out.truncate(mark);
            Fallback
        })
    }

    /// Tera's `CallStack::lookup`.
    fn lookup(&self, key: &'a str) -> Option<Cow<'a, Value>> {
        let (head, tail) = key.split_once('.').unwrap_or((key, ""));
        for frame in self.frames.iter().rev() {
            match frame {
                Frame::Loop {
                    name, items, index, ..
                } => {
                    if head == "loop" {
                        let value = match tail {
                            "index" => Value::from(index + 1),
                            "index0" => Value::from(*index),
                            "first" => Value::Bool(*index == 0),
                            "last" => Value::Bool(*index + 1 == items.len()),
                            _ => continue,
                        };
                        return Some(Cow::Owned(value));
                    }
                    if head == *name {
                        let item = &items[*index];
                        if let Some(found) = pointer(item, tail) {
                            return Some(Cow::Borrowed(found));
                        }
                    }
                }
                Frame::Macro { args, .. } => {
                    if let Some((_, value)) = args.iter().find(|(n, _)| *n == head) {
                        match value {
                            Cow::Borrowed(v) => {
                                if let Some(found) = pointer(v, tail) {
                                    return Some(Cow::Borrowed(found));
                                }
                            }
                            Cow::Owned(v) => {
                                if let Some(found) = pointer(v, tail) {
                                    return Some(Cow::Owned(found.clone()));
                                }
                            }
                        }
                    }
                    // A macro sees its arguments and the page's context, not its caller's variables.
                    break;
                }
                Frame::Include { .. } => {}
            }
        }
        pointer(self.context.get(head)?, tail).map(Cow::Borrowed)
    }

    fn safe_eval(&mut self, expr: &'a Expr) -> Result<Cow<'a, Value>> {
        let escaping = std::mem::replace(&mut self.should_escape, false);
        let result = self.eval(expr);
        self.should_escape = escaping;
        result
    }

    /// Tera's `eval_expression`.
    fn eval(&mut self, expr: &'a Expr) -> Result<Cow<'a, Value>> {
        let (value, escape) = self.eval_raw(expr)?;
        Ok(match &*value {
            Value::String(s) if escape => {
                let mut escaped = String::with_capacity(s.len() + 8);
                escape_html_into(s, &mut escaped);
                Cow::Owned(Value::String(escaped))
            }
            _ => value,
        })
    }

    /// An expression's value, and whether Tera would escape it.
    fn eval_raw(&mut self, expr: &'a Expr) -> Result<(Cow<'a, Value>, bool)> {
        let mut needs_escape = false;
        let mut value = match &expr.val {
            ExprVal::String(s) => {
                needs_escape = true;
                Cow::Owned(Value::String(s.clone()))
            }
            ExprVal::Int(i) => Cow::Owned(Value::from(*i)),
            ExprVal::Float(f) => {
                Cow::Owned(Value::Number(tera::Number::from_f64(*f).ok_or(Fallback)?))
            }
            ExprVal::Bool(b) => Cow::Owned(Value::Bool(*b)),
            ExprVal::Ident(key) => {
                needs_escape = true;
                match self.lookup(key) {
                    Some(v) => v,
                    // Tera: `not undefined` is true rather than an error.
                    None if expr.negated => return Ok((Cow::Owned(Value::Bool(true)), false)),
                    None => return Err(Fallback),
                }
            }
            ExprVal::MacroCall(call) => {
                let mut s = String::new();
                self.macro_call(call, &mut s)?;
                Cow::Owned(Value::String(s))
            }
            ExprVal::Logic(_) => Cow::Owned(Value::Bool(self.truth(expr)?)),
            ExprVal::Math(_) => Cow::Owned(match self.number_of(&expr.val)? {
                Some(n) => Value::Number(n),
                None => Value::String("NaN".to_string()),
            }),
            _ => return Err(Fallback),
        };
        for filter in &expr.filters {
            match filter.name.as_str() {
                "safe" | "default" => {}
                "length" => {
                    let len = match &*value {
                        Value::Array(a) => a.len(),
                        Value::Object(o) => o.len(),
                        Value::String(s) => s.chars().count(),
                        _ => return Err(Fallback),
                    };
                    value = Cow::Owned(Value::from(len));
                    needs_escape = true;
                }
                "fill" => {
                    let mut filled = String::new();
                    self.fill(&value, filter, &mut filled)?;
                    value = Cow::Owned(Value::String(filled));
                    needs_escape = true;
                }
                _ => return Err(Fallback),
            }
        }
        if expr.negated {
            return Ok((Cow::Owned(Value::Bool(!truthy(&value))), false));
        }
        let marked_safe = expr.filters.last().is_some_and(|f| f.name == "safe");
        Ok((value, self.should_escape && needs_escape && !marked_safe))
    }

    /// Tera's `eval_as_bool`, including where it applies `not` more than once.
    fn truth(&mut self, expr: &'a Expr) -> Result<bool> {
        let res = match &expr.val {
            ExprVal::Logic(l) => match l.operator {
                LogicOperator::Or => self.truth(&l.lhs)? || self.truth(&l.rhs)?,
                LogicOperator::And => self.truth(&l.lhs)? && self.truth(&l.rhs)?,
                LogicOperator::Gt | LogicOperator::Gte | LogicOperator::Lt | LogicOperator::Lte => {
                    let (a, b) = (self.number(&l.lhs)?, self.number(&l.rhs)?);
                    match l.operator {
                        LogicOperator::Gt => a > b,
                        LogicOperator::Gte => a >= b,
                        LogicOperator::Lt => a < b,
                        _ => a <= b,
                    }
                }
                LogicOperator::Eq | LogicOperator::NotEq => {
                    let a = self.eval(&l.lhs)?;
                    let b = self.eval(&l.rhs)?;
                    let equal = if a.is_number() || b.is_number() {
                        if !(a.is_number() && b.is_number()) {
                            // Tera answers false to both `==` and `!=`, before any `not`.
                            return Ok(false);
                        }
                        a.as_f64() == b.as_f64()
                    } else {
                        a == b
                    };
                    equal == (l.operator == LogicOperator::Eq)
                }
            },
            ExprVal::Ident(_) => {
                let mut res = match self.eval(expr) {
                    Ok(v) => truthy(&v),
                    // Undefined is false; any other failure is Tera's to report.
                    Err(Fallback) if expr.filters.is_empty() => false,
                    Err(e) => return Err(e),
                };
                if expr.negated {
                    res = !res;
                }
                res
            }
            ExprVal::Int(_) | ExprVal::Float(_) | ExprVal::Math(_) => self
                .number_of(&expr.val)?
                .is_some_and(|n| n.as_f64() != Some(0.0)),
            ExprVal::Bool(b) => *b,
            ExprVal::String(s) => !s.is_empty(),
            ExprVal::MacroCall(call) => {
                let mut s = String::new();
                self.macro_call(call, &mut s)?;
                !s.is_empty()
            }
            _ => return Err(Fallback),
        };
        Ok(res != expr.negated)
    }

    /// Tera's `eval_expr_as_number`, as the `f64` its comparisons use.
    fn number(&mut self, expr: &'a Expr) -> Result<f64> {
        self.number_expr(expr)?
            .and_then(|n| n.as_f64())
            .ok_or(Fallback)
    }

    /// Tera's `eval_expr_as_number`.
    fn number_expr(&mut self, expr: &'a Expr) -> Result<Option<Number>> {
        if expr.filters.is_empty() {
            return self.number_of(&expr.val);
        }
        match &*self.eval(expr)? {
            Value::Number(n) => Ok(Some(n.clone())),
            _ => Err(Fallback),
        }
    }

    /// Tera's `eval_as_number`, with sums of whole numbers; other arithmetic is Tera's to compute.
    fn number_of(&mut self, val: &'a ExprVal) -> Result<Option<Number>> {
        match val {
            ExprVal::Ident(key) => match self.lookup(key).as_deref() {
                Some(Value::Number(n)) => Ok(Some(n.clone())),
                _ => Err(Fallback),
            },
            ExprVal::Int(i) => Ok(Some(Number::from(*i))),
            ExprVal::Float(f) => Number::from_f64(*f).map(Some).ok_or(Fallback),
            ExprVal::Math(m) => {
                let (Some(l), Some(r)) = (self.number_expr(&m.lhs)?, self.number_expr(&m.rhs)?)
                else {
                    return Ok(None);
                };
                let whole = match (l.as_i64(), r.as_i64(), l.as_u64(), r.as_u64()) {
                    (Some(a), Some(b), _, _) => match m.operator {
                        MathOperator::Add => a.checked_add(b).map(Number::from),
                        MathOperator::Sub => a.checked_sub(b).map(Number::from),
                        MathOperator::Mul => a.checked_mul(b).map(Number::from),
                        _ => None,
                    },
                    (_, _, Some(a), Some(b)) => match m.operator {
                        MathOperator::Add => a.checked_add(b).map(Number::from),
                        MathOperator::Sub => a.checked_sub(b).map(Number::from),
                        MathOperator::Mul => a.checked_mul(b).map(Number::from),
                        _ => None,
                    },
                    _ => None,
                };
                // Overflow is Tera's error to report, fractions its to compute.
                whole.map(Some).ok_or(Fallback)
            }
            _ => Err(Fallback),
        }
    }
}

/// Tera's `dotted_pointer` for plain paths (`a.b.0`).
fn pointer<'v>(value: &'v Value, path: &str) -> Option<&'v Value> {
    path.split('.')
        .filter(|t| !t.is_empty())
        .try_fold(value, |v, token| match v {
            Value::Object(map) => map.get(token),
            Value::Array(list) => parse_index(token).and_then(|i| list.get(i)),
            _ => None,
        })
}

fn parse_index(s: &str) -> Option<usize> {
    if s.starts_with('+') || (s.starts_with('0') && s.len() != 1) {
        return None;
    }
    s.parse().ok()
}

/// Tera's `ValueTruthy`.
fn truthy(value: &Value) -> bool {
    match value {
        Value::Number(n) => match (n.as_i64(), n.as_u64()) {
            (Some(i), _) => i != 0,
            (_, Some(u)) => u != 0,
            _ => n.as_f64().is_some_and(|f| f != 0.0 && !f.is_nan()),
        },
        Value::Bool(b) => *b,
        Value::Null => false,
        Value::String(s) => !s.is_empty(),
        Value::Array(a) => !a.is_empty(),
        Value::Object(o) => !o.is_empty(),
    }
}

/// Tera's `ValueRender`.
fn render_value(value: &Value, out: &mut String) {
    use std::fmt::Write;
    match value {
        Value::String(s) => out.push_str(s),
        Value::Number(n) => {
            let _ = match (n.as_i64(), n.as_u64(), n.as_f64()) {
                (Some(i), _, _) => write!(out, "{i}"),
                (_, Some(u), _) => write!(out, "{u}"),
                (_, _, Some(f)) => write!(out, "{f}"),
                _ => Ok(()),
            };
        }
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Null => {}
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push_str(", ");
                }
                render_value(item, out);
            }
            out.push(']');
        }
        Value::Object(_) => out.push_str("[object]"),
    }
}

/// Exactly `tera::escape_html` (the escaping Tera applies by default), without a
/// string per value.
fn escape_html_into(text: &str, out: &mut String) {
    super::escape_with(text, out, |b| match b {
        b'&' => Some("&amp;"),
        b'<' => Some("&lt;"),
        b'>' => Some("&gt;"),
        b'"' => Some("&quot;"),
        b'\'' => Some("&#x27;"),
        b'/' => Some("&#x2F;"),
        _ => None,
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// Renders `main` both ways; the evaluator must take it and agree with Tera byte for byte.
    fn agree(templates: &[(&str, &str)], main: &str, context: serde_json::Value) -> String {
        let mut tera = Tera::default();
        tera.register_filter("fill", crate::templates::fill);
        tera.add_raw_templates(templates.iter().copied()).unwrap();
        let context = Context::from_value(context).unwrap();
        let evaluator = Evaluator::new(&tera);
        assert!(evaluator.supports(main), "`{main}` should be in the subset");
        let fast = evaluator
            .render(&tera, main, &context)
            .expect("the evaluator renders it");
        let slow = tera.render(main, &context).unwrap();
        assert_eq!(fast, slow);
        fast
    }

    #[test]
    fn escaping_and_values_render_as_tera_renders_them() {
        let out = agree(
            &[("p.html", "{{ s }}|{{ s | safe }}|{{ n }}|{{ f }}|{{ b }}|{{ z }}|{{ a }}|{{ o }}|{{ 'x/<' }}|{{ 3 }}|{{ not b }}|{{ not missing }}")],
            "p.html",
            serde_json::json!({"s": "<a href='/x'>&\"", "n": -3, "f": 1.5, "b": true, "z": null, "a": [1, "<", [true]], "o": {"k": 1}}),
        );
        assert!(
            out.starts_with("&lt;a href=&#x27;&#x2F;x&#x27;&gt;&amp;&quot;|<a href='/x'>"),
            "{out}"
        );
    }

    #[test]
    fn text_templates_are_not_escaped() {
        agree(
            &[("u.md", "{{ s }} {{ s | fill(x=s) }}")],
            "u.md",
            serde_json::json!({"s": "<{x}>"}),
        );
    }

    #[test]
    fn conditions_follow_teras_truthiness_and_its_quirks() {
        agree(
            &[(
                "p.html",
                "{% if missing %}a{% elif not missing %}b{% endif %}\
                 {% if e %}c{% else %}d{% endif %}{% if l %}e{% endif %}{% if o %}f{% endif %}\
                 {% if n == 3 %}g{% endif %}{% if n != 3 %}h{% endif %}{% if s == 3 %}i{% endif %}\
                 {% if not s == 3 %}j{% endif %}{% if s != 3 %}k{% endif %}\
                 {% if n > 2 and n <= 3 or missing %}l{% endif %}{% if not n > 2 and e %}m{% endif %}\
                 {% if not e and n %}m2{% endif %}{{ not n > 2 and e }}{{ not e }}{{ n > 2 }}\
                 {% if s == 'x' %}n{% endif %}{% if 0 %}o{% endif %}{% if '' %}p{% endif %}\
                 {% if zero %}q{% endif %}{% if half %}r{% endif %}",
            )],
            "p.html",
            serde_json::json!({"e": "", "l": [], "o": {}, "n": 3, "s": "x", "zero": 0.0, "half": 0.5}),
        );
    }

    #[test]
    fn loops_see_their_item_and_position() {
        agree(
            &[(
                "p.html",
                "{% for i in items %}{{ loop.index }}{{ loop.index0 }}{{ loop.first }}{{ loop.last }}{{ i.name }}{{ i }}{% for j in i.sub %}[{{ j }}{{ loop.index }}{{ i.name }}]{% endfor %}{% endfor %}\
                 {% for x in none %}never{% else %}empty{% endfor %}{{ items.1.name }}",
            )],
            "p.html",
            serde_json::json!({"items": [{"name": "a", "sub": [1, 2]}, {"name": "<b>", "sub": []}], "none": []}),
        );
    }

    #[test]
    fn blocks_and_macros_resolve_as_in_tera() {
        let base = "<title>{% block title %}base{% endblock title %}</title>{{ m::who(x=site) }}{% block main %}{% endblock main %}{% include \"inc.css\" %}{% block tail %}tail {{ site }}{% endblock tail %}";
        let macros = "{% macro who(x, y='<d>') %}{{ x }}{{ y }}{{ self::inner(z=x) }}{% endmacro who %}{% macro inner(z) %}({{ z }}{{ site }}{% if missing %}no{% endif %}){% endmacro inner %}";
        let page = "{% extends \"base.html\" %}{% import \"macros.html\" as m %}{% block title %}{{ page }} · {{ site }}{% endblock title %}{% block main %}{% for p in list %}{{ m::who(x=p, y=3) }}{% endfor %}{% if m::who(x='') %}yes{% endif %}{% endblock main %}";
        agree(
            &[
                ("base.html", base),
                ("macros.html", macros),
                ("inc.css", "a/b{}"),
                ("page.html", page),
            ],
            "page.html",
            serde_json::json!({"site": "S&", "page": "P", "list": ["1", "<2>"]}),
        );
    }

    #[test]
    fn lengths_and_sums_are_teras() {
        agree(
            &[(
                "p.html",
                "{{ l | length }} {{ s | length }} {{ o | length }} {{ l | length - 3 }} {{ n * 2 + 1 }}\
                 {% if l | length > 3 %}long{% endif %}{% if l | length - 5 %}nonzero{% endif %}\
                 {% if 0.5 %}half{% endif %}{% if 2 - 2 %}never{% endif %}{{ t.x | fill(n=l | length - 3) | safe }}\
                 {% for i in l %}{% if loop.index <= 2 %}{{ i }}{% endif %}{% endfor %}",
            )],
            "p.html",
            serde_json::json!({"l": [1, 2, 3, 4], "s": "héllo", "o": {"a": 1}, "n": 4, "t": {"x": {"one": "{n} more", "other": "{n} more"}}}),
        );
    }

    #[test]
    fn the_fill_filter_gives_teras_result() {
        let strings = serde_json::json!({"at": "as of {time}", "n": {"one": "{n} thing", "other": "{n} things"}});
        agree(
            &[("p.html", "{{ t.at | fill(time=time) | safe }} {{ t.n | fill(n=count) | safe }} {{ t.at | fill(time=s) }}")],
            "p.html",
            serde_json::json!({"t": strings, "time": {"iso": "2026", "full": "1 <Jan>"}, "count": 2, "s": "a&b"}),
        );
    }

    #[test]
    fn what_it_does_not_cover_is_left_to_tera() {
        let mut tera = Tera::default();
        tera.add_raw_templates([
            ("set.html", "{% set x = 1 %}{{ x }}"),
            ("filter.html", "{{ x | upper }}"),
            ("math.html", "{{ 1 / 2 }}"),
            ("uses.html", "{% include \"set.html\" %}"),
            ("plain.html", "{{ x }}"),
            ("loop.html", "{% for c in x %}{{ c }}{% endfor %}"),
        ])
        .unwrap();
        let evaluator = Evaluator::new(&tera);
        for name in ["set.html", "filter.html", "math.html", "uses.html"] {
            assert!(!evaluator.supports(name), "{name}");
        }
        // Undefined values and loops over strings are Tera's to render (or to report).
        let empty = Context::new();
        assert!(evaluator.render(&tera, "plain.html", &empty).is_err());
        let mut context = Context::new();
        context.insert("x", "ab");
        assert!(evaluator.render(&tera, "loop.html", &context).is_err());
        assert_eq!(tera.render("loop.html", &context).unwrap(), "ab");
    }

    proptest! {
        #[test]
        fn escaping_is_teras(text in ".*") {
            let mut out = String::new();
            escape_html_into(&text, &mut out);
            prop_assert_eq!(out, tera::escape_html(&text));
        }
    }
}
