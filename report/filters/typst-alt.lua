--[[
typst-alt.lua: carry image alternative text into the typst (PDF) output.

Pandoc's typst writer drops alt text: `![caption](x.svg){fig-alt="..."}` becomes
`image("x.svg")`, and typst's PDF/UA-1 export then refuses the image. This filter writes
each image itself as `image("x.svg", alt: "...")`, with the alt text taken from
`fig-alt`, else an `alt` attribute, else the image's description (its caption).

Figures and tables are numbered only with a `fig-` or `tbl-` id, as Quarto numbers them
(and html-figures.lua in the web page).

Images in figures, and images alone in their paragraph (as Quarto leaves those of its
figures), are sized to the text width (charts are drawn for the screen and read better
full width on A4) unless the Markdown gives a `width` in % (for example {width=60%}).

A table with a caption stays a figure, with its caption above it: Quarto marks every table
`typst:no-figure`, which would make pandoc's typst writer drop the caption; the mark is
taken off captioned tables, so that both engines write them alike.

A div of class `columns-2` (the glossary) is set in two columns on the page, to keep the
PDF short; the web page, read on a phone, keeps one.

Strings are written as typst string literals with every special character escaped, so
alt text can never become typst code.

Hyphens in a row in the text (`auditrap build --final`) are written escaped: typst reads
`--` as an en dash and `---` as an em dash, and the typst writer of pandoc 3.6 (Quarto
1.7's) leaves them bare (pandoc 3.9 escapes one of them). The author's own dashes are not
hyphens by then: pandoc's smart punctuation has already made them dashes, which the writer
writes as typst's dash shorthands.
]]

local stringify = pandoc.utils.stringify

local function fail(message)
  -- A clear message: the engine shows pandoc's (or Quarto's) output to the user. Raised
  -- with assert, not error(): Quarto replaces error() in filters with a function that only
  -- logs, and the render would go on.
  assert(false, "\n" .. message .. "\n")
end

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

local function alt_text(img)
  local alt = img.attributes["fig-alt"] or img.attributes["alt"] or stringify(img.caption)
  alt = alt:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", "")
  if alt == "" then
    fail("The image '" .. img.src .. "' has no alternative text. Describe what it shows " ..
      "(for a chart, the numbers) with {fig-alt=\"...\"}.")
  end
  return alt
end

local function width_of(img, in_figure)
  local w = img.attributes["width"]
  if w then
    local pct = w:match("^%s*(%d+%.?%d*)%%%s*$")
    if pct then
      return tostring(tonumber(pct)) .. "%"
    end
  end
  if in_figure then
    return "100%"
  end
  return nil
end

local function typst_image(img, in_figure)
  local args = { typst_string(img.src), "alt: " .. typst_string(alt_text(img)) }
  local w = width_of(img, in_figure)
  if w then
    table.insert(args, "width: " .. w)
  end
  return pandoc.RawInline("typst", "#box(image(" .. table.concat(args, ", ") .. "))")
end

if not FORMAT:match("typst") then
  return {}
end

local function trim(s)
  return (s:gsub("^%s+", ""):gsub("%s+$", ""))
end

-- A word with two or more hyphens in a row: the hyphens as escaped typst, the rest as text.
local function literal_hyphens(str)
  if not str.text:find("%-%-") then
    return nil
  end
  local out = pandoc.Inlines({})
  local rest = str.text
  while #rest > 0 do
    local first, last = rest:find("%-%-+")
    if not first then
      out:insert(pandoc.Str(rest))
      break
    end
    if first > 1 then
      out:insert(pandoc.Str(rest:sub(1, first - 1)))
    end
    out:insert(pandoc.RawInline("typst", string.rep("\\-", last - first + 1)))
    rest = rest:sub(last + 1)
  end
  return out
end

-- A figure holding one image is written whole, as
--   #figure(box(image(..., alt: ...)), caption: [...]) <label>
-- with the caption converted by pandoc's own typst writer (so it is escaped). Any other
-- figure keeps pandoc's rendering, with its images carrying their alt text.
local function typst_figure(fig)
  local images = {}
  local others = 0
  fig.content:walk({
    Image = function(img) table.insert(images, img) end,
  })
  for _, block in ipairs(fig.content) do
    if not (block.t == "Plain" or block.t == "Para") or #block.content ~= 1 then
      others = others + 1
    end
  end
  if #images ~= 1 or others > 0 or #fig.content ~= 1 then
    return fig:walk({
      Image = function(img) return typst_image(img, true) end,
    })
  end
  local image = typst_image(images[1], true).text:gsub("^#", "")
  local args = { image }
  if #fig.caption.long > 0 then
    local caption = pandoc.write(
      pandoc.Pandoc(fig.caption.long):walk({ Str = literal_hyphens }), "typst"
    )
    table.insert(args, "caption: [" .. trim(caption) .. "]")
  end
  -- Numbered ("Figure 1: caption") only with a fig- id, as Quarto and html-figures.lua
  -- number figures; any other figure keeps its caption, unnumbered.
  if not fig.identifier:match("^fig%-") then
    table.insert(args, "numbering: none")
  end
  local label = ""
  if fig.identifier ~= "" and fig.identifier:match("^[%w_%-%.:]+$") then
    label = " <" .. fig.identifier .. ">"
  end
  return pandoc.RawBlock("typst", "#figure(" .. table.concat(args, ", ") .. ")" .. label)
end

-- A table is numbered ("Table 1: caption") only with a tbl- id, as Quarto and
-- html-figures.lua number tables; pandoc writes every table as a figure, so any other is
-- set in a block where figures are not numbered (nor counted). A captioned table loses
-- Quarto's typst:no-figure mark, which would drop its caption.
local function typst_table(tbl)
  local unmarked = false
  if #tbl.caption.long > 0 and tbl.classes:includes("typst:no-figure") then
    tbl.classes = tbl.classes:filter(function(c) return c ~= "typst:no-figure" end)
    unmarked = true
  end
  if tbl.identifier:match("^tbl%-") then
    return unmarked and tbl or nil
  end
  return {
    pandoc.RawBlock("typst", "#[#set figure(numbering: none)"),
    tbl,
    pandoc.RawBlock("typst", "]"),
  }
end

-- An image alone in its paragraph: as wide as a figure's.
local function lone_image(block)
  if #block.content == 1 and block.content[1].t == "Image" then
    block.content = pandoc.Inlines({ typst_image(block.content[1], true) })
    return block
  end
end

-- A `columns-2` div: two columns on the A4 page, its text a little smaller (reference matter).
local function two_columns(div)
  if div.classes:includes("columns-2") then
    local blocks = pandoc.Blocks({ pandoc.RawBlock("typst", "#columns(2, gutter: 1.5em)[#set text(size: 0.9em)") })
    blocks:extend(div.content)
    blocks:insert(pandoc.RawBlock("typst", "]"))
    return blocks
  end
end

return {
  {
    Div = two_columns,
    Figure = typst_figure,
    Table = typst_table,
  },
  {
    Plain = lone_image,
    Para = lone_image,
  },
  {
    Image = function(img) return typst_image(img, false) end,
  },
  -- Last, once the images' alt text has been read as text.
  {
    Str = literal_hyphens,
  },
}
