--[[
callouts.lua: notes in a visibly distinct box, with their title, in both outputs.

Used by both outputs (HTML and typst) of the built-in engine; with Quarto, Quarto's own
callout filter runs first and the template's callout() function (template.typ) draws them.

A div written as Quarto writes a callout,

  ::: {.callout-note title="Synthetic data"}
  **This is a sample report built from synthetic data.** ...
  :::

(note, tip, important, warning or caution) becomes

* in HTML: <div class="callout callout-note" role="note" aria-labelledby="callout-1-title">
  with the title as its first line (<div class="callout-title" id="callout-1-title">), boxed
  by styles.css. The kind of note is said by its title, never by colour alone.
* in typst: #callout(kind: "note", title: "Synthetic data", body: [...]), a shaded box with
  a coloured rule on its left, defined in template.typ. Its text stays ordinary paragraphs,
  so the PDF's tags are unchanged.

The title is text: it is written as a pandoc Str in HTML and as an escaped typst string
literal, so it can never become markup.
]]

local KINDS = { note = true, tip = true, important = true, warning = true, caution = true }

-- A typst string literal: "..." with \ " and control characters escaped.
local function typst_string(s)
  s = s:gsub("\\", "\\\\")
  s = s:gsub('"', '\\"')
  s = s:gsub("\n", "\\n")
  s = s:gsub("\r", "\\r")
  s = s:gsub("\t", "\\t")
  s = s:gsub("[\0-\31\127]", function(c)
    return string.format("\\u{%x}", c:byte())
  end)
  return '"' .. s .. '"'
end

local function squash(s)
  return (s:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", ""))
end

local function kind_of(div)
  if div.classes:includes("callout") then
    return nil -- already drawn (by Quarto's own callout filter, which runs first)
  end
  for _, class in ipairs(div.classes) do
    local kind = class:match("^callout%-(%a+)$")
    if kind and KINDS[kind] then
      return kind
    end
  end
  return nil
end

local DEFAULT_TITLES = {
  note = "Note", tip = "Tip", important = "Important", warning = "Warning", caution = "Caution",
}

local count = 0

function Div(div)
  local kind = kind_of(div)
  if not kind then
    return nil
  end
  local title = squash(div.attributes["title"] or "")
  if title == "" then
    title = DEFAULT_TITLES[kind]
  end
  count = count + 1

  if FORMAT:match("typst") then
    local blocks = pandoc.Blocks({
      pandoc.RawBlock("typst", "#callout(kind: " .. typst_string(kind) .. ", title: " ..
        typst_string(title) .. ", body: ["),
    })
    blocks:extend(div.content)
    blocks:insert(pandoc.RawBlock("typst", "])"))
    return blocks
  end

  if FORMAT:match("html") then
    local title_id = "callout-" .. count .. "-title"
    local content = pandoc.Blocks({
      pandoc.Div({ pandoc.Plain(pandoc.Inlines(title)) }, pandoc.Attr(title_id, { "callout-title" })),
    })
    content:extend(div.content)
    -- A list of pairs, not a Lua table: attribute order must not vary between runs.
    return pandoc.Div(content, pandoc.Attr("", { "callout", "callout-" .. kind }, {
      { "role", "note" },
      { "aria-labelledby", title_id },
    }))
  end

  -- Any other output: the title as a first bold line.
  local content = pandoc.Blocks({ pandoc.Para({ pandoc.Strong(pandoc.Inlines(title)) }) })
  content:extend(div.content)
  div.content = content
  div.attributes["title"] = nil
  return div
end
