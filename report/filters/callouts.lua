--[[
callouts.lua: notes in a visibly distinct box, with their title, in both outputs and both
engines.

A div written as Quarto writes a callout,

  ::: {.callout-note title="Synthetic data"}
  **This is a sample report built from synthetic data.** ...
  :::

(note, tip, important, warning or caution) becomes

* in HTML: <div class="callout callout-note" role="note" aria-labelledby="callout-1-title">
  with the title as its first line (<div class="callout-title" id="callout-1-title">), boxed
  by styles.css. The kind of note is said by its title, never by colour alone.
* in typst: #callout(kind: "note", title: [Synthetic data], body: [...]), a shaded box with
  a coloured rule on its left, defined in template.typ. Its text stays ordinary paragraphs,
  so the PDF's tags are unchanged.

The rules are Quarto's: the title is Markdown (as Quarto reads the title attribute); without
one, a heading that opens the callout is its title, else the kind's name ("Note"...).

The built-in engine runs this filter on pandoc's document, where a callout is a div. Quarto
runs it after its own filters (at post-quarto, _quarto.yml), where it has made each such div
a Callout node and not yet drawn it: the Callout handler draws it instead, the same way, so
that both engines make the same page and the same PDF.
]]

local KINDS = { note = true, tip = true, important = true, warning = true, caution = true }

local DEFAULT_TITLES = {
  note = "Note", tip = "Tip", important = "Important", warning = "Warning", caution = "Caution",
}

local function kind_of(div)
  if div.classes:includes("callout") then
    return nil -- already drawn
  end
  for _, class in ipairs(div.classes) do
    local kind = class:match("^callout%-(%a+)$")
    if kind and KINDS[kind] then
      return kind
    end
  end
  return nil
end

-- The title attribute as Quarto reads it: Markdown, on one line.
local function read_title(text)
  text = (text or ""):gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")
  if text == "" then
    return pandoc.Inlines({})
  end
  return pandoc.utils.blocks_to_inlines(pandoc.read(text, "markdown").blocks)
end

-- No title: a heading that opens the callout is its title (and leaves the body).
local function heading_title(content)
  local first = content[1]
  if first and first.t == "Header" then
    content:remove(1)
    return first.content
  end
  return pandoc.Inlines({})
end

local function trim(s)
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

local count = 0

local function draw(kind, title, content)
  if #title == 0 then
    title = pandoc.Inlines(DEFAULT_TITLES[kind])
  end
  count = count + 1

  if FORMAT:match("typst") then
    local typst_title = pandoc.write(pandoc.Pandoc({ pandoc.Plain(title) }), "typst")
    local blocks = pandoc.Blocks({
      pandoc.RawBlock("typst", "#callout(kind: \"" .. kind .. "\", title: [" ..
        trim(typst_title) .. "], body: ["),
    })
    blocks:extend(content)
    blocks:insert(pandoc.RawBlock("typst", "])"))
    return blocks
  end

  if FORMAT:match("html") then
    local title_id = "callout-" .. count .. "-title"
    local inside = pandoc.Blocks({
      pandoc.Div({ pandoc.Plain(title) }, pandoc.Attr(title_id, { "callout-title" })),
    })
    inside:extend(content)
    -- A list of pairs, not a Lua table: attribute order must not vary between runs.
    return pandoc.Div(inside, pandoc.Attr("", { "callout", "callout-" .. kind }, {
      { "role", "note" },
      { "aria-labelledby", title_id },
    }))
  end

  -- Any other output: the title as a first bold line.
  local inside = pandoc.Blocks({ pandoc.Para({ pandoc.Strong(title) }) })
  inside:extend(content)
  return pandoc.Div(inside)
end

return {
  {
    -- The built-in engine: pandoc's div.
    Div = function(div)
      local kind = kind_of(div)
      if not kind then
        return nil
      end
      local content = div.content:clone()
      local title = read_title(div.attributes["title"])
      if #title == 0 then
        title = heading_title(content)
      end
      return draw(kind, title, content)
    end,
    -- Quarto: its Callout node, title already read (and a heading taken for it).
    Callout = function(callout)
      if not KINDS[callout.type] then
        return nil
      end
      -- One block, or a list of them.
      local content = pandoc.Blocks({})
      if pandoc.utils.type(callout.content) == "Block" then
        content:insert(callout.content)
      elseif callout.content then
        content:extend(callout.content)
      end
      local title = pandoc.Inlines({})
      if callout.title then
        title = quarto.utils.as_inlines(callout.title)
      end
      return draw(callout.type, title, content)
    end,
  },
}
