--[[
html-figures.lua: accessible, self-contained figures and tables in the HTML report.

* Every image gets its `fig-alt` (else its `alt` attribute, else its description) as the
  `alt` attribute, which is its accessible name.
* SVG charts are written inline, as <svg role="img" aria-label="..."> with a <title>.
  An SVG embedded as <img src="data:..."> (what pandoc's --embed-resources does) is an
  isolated document that cannot use the page's @font-face, so its text would fall back
  to whatever font the reader's machine has; inline, it uses the embedded Atkinson
  Hyperlegible like the rest of the page. Ids inside each SVG are prefixed so that two
  charts cannot clash. SVGs with scripts, event handlers, foreign objects or external
  references are refused.
* Pictures (PNG, JPEG, GIF, WebP) are written into the page as data: URIs, so the page
  is one file without pandoc's --embed-resources pass (which re-reads and re-writes the
  whole page). A picture must be a file in the build directory whose contents are the
  format its name says; any other image (another format, a URL, a path outside the build
  directory) is refused with a message saying what to do.
* A chart drawn twice (charts.py) names its narrow drawing with `narrow="figures/x.svg"`:
  both are written inline, class chart-wide and chart-narrow, and styles.css shows one of
  them (the narrow one below 40em), so a screen reader meets one image, one name.
* Figures with a `fig-` id and tables with a `tbl-` id are numbered in document order,
  "Figure 1: caption" and "Table 1: caption" (a no-break space after the word), the
  words Quarto's crossref writes and typst writes in the PDF.
* Tables are wrapped in a focusable region, named by the table's caption, that scrolls
  sideways on its own, so the page itself reflows at 320 CSS px without horizontal
  scrolling; the caption sits above it, in a figure, as Quarto writes a table. A column
  of long text keeps a readable width there (class wide-text, styles.css).
]]

local stringify = pandoc.utils.stringify

local function fail(message)
  -- A clear message: the engine shows pandoc's (or Quarto's) output to the user. Raised
  -- with assert, not error(): Quarto replaces error() in filters with a function that only
  -- logs, and the render would go on.
  assert(false, "\n" .. message .. "\n")
end

if not FORMAT:match("html") then
  return {}
end

local function squash(s)
  return (s:gsub("%s+", " "):gsub("^ ", ""):gsub(" $", ""))
end

local function attr_escape(s)
  return (s:gsub("&", "&amp;"):gsub('"', "&quot;"):gsub("<", "&lt;"):gsub(">", "&gt;"))
end

local function alt_text(img)
  local alt = img.attributes["fig-alt"] or img.attributes["alt"] or stringify(img.caption)
  alt = squash(alt)
  if alt == "" then
    fail("The image '" .. img.src .. "' has no alternative text. Describe what it shows " ..
      "(for a chart, the numbers) with {fig-alt=\"...\"}.")
  end
  return alt
end

local function read_file(path)
  local f = io.open(path, "rb")
  if not f then
    fail("The image '" .. path .. "' does not exist in the build directory. Check its " ..
      "name and folder (relative to the report, such as figures/chart.svg).")
  end
  local data = f:read("a")
  f:close()
  return data
end

-- The end of the start tag that begins at `from`, skipping '>' inside quoted values.
local function end_of_tag(s, from)
  local quote = nil
  for i = from, #s do
    local c = s:sub(i, i)
    if quote then
      if c == quote then quote = nil end
    elseif c == '"' or c == "'" then
      quote = c
    elseif c == ">" then
      return i
    end
  end
  return nil
end

-- The SVG's markup without its text: every tag (with its attribute values, but without
-- those of aria-* attributes, which are text) and the contents of <style> elements; and the
-- same tags with every attribute value emptied, to read attribute names alone.
local function svg_markup(svg)
  local tags, names = {}, {}
  local at = 1
  while true do
    local start = svg:find("<", at, true)
    if not start then break end
    local stop = end_of_tag(svg, start)
    if not stop then
      tags[#tags + 1] = svg:sub(start)
      names[#names + 1] = svg:sub(start)
      break
    end
    local tag = svg:sub(start, stop)
    local plain = tag:gsub('%saria%-[%w%-]+%s*=%s*"[^"]*"', ""):gsub("%saria%-[%w%-]+%s*=%s*'[^']*'", "")
    tags[#tags + 1] = plain
    names[#names + 1] = (tag:gsub('"[^"]*"', '""'):gsub("'[^']*'", "''"))
    at = stop + 1
    if tag:lower():match("^<style[%s>]") then
      local close = svg:lower():find("</style", at, true)
      if close then
        tags[#tags + 1] = svg:sub(at, close - 1)
        at = close
      end
    end
  end
  return table.concat(tags, "\n"), table.concat(names, "\n")
end

local svg_count = 0

local function inline_svg(src, alt, class)
  local img = { src = src }
  local svg = read_file(img.src)
  svg = svg:gsub("^\239\187\191", "")               -- byte order mark
  svg = svg:gsub("<%?xml.-%?>", "")                 -- XML declaration
  svg = svg:gsub("<!%-%-.-%-%->", "")               -- comments
  svg = svg:gsub("<!DOCTYPE[^>]*>", "")             -- doctype
  -- Only the markup is checked: text between the tags, and the values of the aria-label
  -- attributes that name the chart's parts, are text whatever they say (an area called
  -- "<svg onload=...>" is drawn, escaped, as those words), so they are left out.
  local markup, names = svg_markup(svg)
  local lower = markup:lower()
  local refused = {
    "<script", "<foreignobject", "javascript:", "@import", "<iframe", "<embed", "<object",
  }
  for _, bad in ipairs(refused) do
    if lower:find(bad, 1, true) then
      fail("The SVG '" .. img.src .. "' contains '" .. bad .. "', which the report does " ..
        "not allow in a chart. Re-draw it as plain SVG.")
    end
  end
  if names:lower():match("%son%a+%s*=") then
    fail("The SVG '" .. img.src .. "' has an event handler (on...=) attribute. Re-draw " ..
      "it as plain SVG.")
  end
  -- href / xlink:href / url() may only point inside the SVG (#id) or be data: URIs.
  for target in lower:gmatch("href%s*=%s*[\"']%s*([^\"']*)") do
    if not (target:match("^#") or target:match("^data:")) then
      fail("The SVG '" .. img.src .. "' refers to '" .. target .. "'. A chart must not " ..
        "load anything from elsewhere.")
    end
  end
  for target in lower:gmatch("url%(%s*[\"']?([^\"')]*)") do
    if not (target:match("^#") or target:match("^data:")) then
      fail("The SVG '" .. img.src .. "' refers to '" .. target .. "'. A chart must not " ..
        "load anything from elsewhere.")
    end
  end

  local start = svg:find("<svg[%s>]")
  if not start then
    fail("The file '" .. img.src .. "' is not an SVG image.")
  end
  local stop = end_of_tag(svg, start)
  if not stop then
    fail("The SVG '" .. img.src .. "' is not well formed.")
  end
  svg_count = svg_count + 1
  local prefix = "chart" .. svg_count .. "-"

  local open_tag = svg:sub(start, stop)
  local body = svg:sub(stop + 1)
  -- Our own accessible name replaces whatever the SVG said about itself.
  for _, name in ipairs({ "role", "aria%-label", "aria%-labelledby", "aria%-describedby",
                          "aria%-hidden", "focusable", "tabindex" }) do
    open_tag = open_tag:gsub("%s" .. name .. '%s*=%s*"[^"]*"', "")
    open_tag = open_tag:gsub("%s" .. name .. "%s*=%s*'[^']*'", "")
  end
  local a = attr_escape(alt)
  open_tag = open_tag:gsub("%sclass%s*=%s*\"[^\"]*\"", ""):gsub("%sclass%s*=%s*'[^']*'", "")
  open_tag = '<svg class="' .. class .. '" role="img" aria-label="' .. a ..
    '" focusable="false"' .. open_tag:sub(5)
  -- Prefix ids and references to them, so that several inline SVGs cannot collide.
  local function prefix_ids(s)
    s = s:gsub('(%s)id="([^"]*)"', "%1id=\"" .. prefix .. "%2\"")
    s = s:gsub("(%s)id='([^']*)'", "%1id='" .. prefix .. "%2'")
    s = s:gsub("url%(#", "url(#" .. prefix)
    s = s:gsub('(href%s*=%s*")#', "%1#" .. prefix)
    s = s:gsub("(href%s*=%s*')#", "%1#" .. prefix)
    return s
  end
  open_tag = prefix_ids(open_tag)
  body = prefix_ids(body)
  local trailing = body:match("</svg>%s*$")
  if not trailing then
    fail("The SVG '" .. img.src .. "' does not end with </svg>.")
  end
  return open_tag .. "<title>" .. a .. "</title>" .. (body:gsub("%s+$", ""))
end


-- The pictures the report can show, by file name ending: the format's name, its MIME
-- type and a test that the file's first bytes are that format (so that a file is never
-- embedded under the wrong type). Not AVIF: typst, which makes the PDF, cannot read it.
local pictures = {
  png = {
    name = "PNG",
    mime = "image/png",
    is = function(d) return d:sub(1, 8) == "\137PNG\r\n\26\n" end,
  },
  jpg = {
    name = "JPEG",
    mime = "image/jpeg",
    is = function(d) return d:sub(1, 3) == "\255\216\255" end,
  },
  gif = {
    name = "GIF",
    mime = "image/gif",
    is = function(d) return d:match("^GIF8[79]a") ~= nil end,
  },
  webp = {
    name = "WebP",
    mime = "image/webp",
    is = function(d) return d:sub(1, 4) == "RIFF" and d:sub(9, 12) == "WEBP" end,
  },
}
pictures.jpeg = pictures.jpg

local FORMATS = "Save a chart as SVG (.svg) and a picture as PNG (.png), JPEG (.jpg), " ..
  "GIF (.gif) or WebP (.webp), and refer to that file."

-- checks.lua refuses these first; this filter reads the file itself (outside pandoc's
-- sandbox), so it makes sure again.
local function check_local(src)
  if src:match("^%a[%w+.-]*:") or src:match("^//") or src:match("^[/\\]") then
    fail("The image '" .. src .. "' is not a file in the build directory. Save the " ..
      "picture into figures/ and refer to it by a relative path such as figures/chart.svg.")
  end
  for part in src:gmatch("[^/\\]+") do
    if part == ".." then
      fail("The image '" .. src .. "' reaches outside the build directory with '..'. " ..
        "Save the picture into figures/ and refer to it as figures/<name>.")
    end
  end
end

local function embed_picture(img, picture)
  local _, data = pandoc.mediabag.lookup(img.src)
  data = data or read_file(img.src)
  if not picture.is(data) then
    fail("The image '" .. img.src .. "' is named as a " .. picture.name .. " file, but " ..
      "its contents are not a " .. picture.name .. " picture. " .. FORMATS)
  end
  img.src = pandoc.mediabag.make_data_uri(picture.mime, data)
end

-- A chart: its drawing, or its wide and narrow drawings (styles.css shows one of them).
local function inline_chart(img, alt)
  local narrow = img.attributes["narrow"]
  if not narrow then
    return pandoc.RawInline("html", inline_svg(img.src, alt, "chart"))
  end
  check_local(narrow)
  if not narrow:lower():match("%.svg$") then
    fail("The narrow drawing '" .. narrow .. "' of the chart '" .. img.src .. "' is not " ..
      "an SVG file. Save it as .svg, as the chart itself.")
  end
  return pandoc.RawInline("html", inline_svg(img.src, alt, "chart chart-wide") ..
    inline_svg(narrow, alt, "chart chart-narrow"))
end

-- Numbers: "Figure 1: caption", "Table 1: caption", as Quarto's crossref writes them
-- (crossref/format.lua: the title, a no-break space, the number, ":" and a space).
-- Quarto numbers them itself (its floats carry the id, not the figure or table), so under
-- Quarto this does nothing.
local NUMBERED = { fig = "Figure", tbl = "Table" }

local function number_captions(doc)
  if quarto ~= nil then
    return nil
  end
  local counts = { fig = 0, tbl = 0 }
  local function number(el)
    local kind = el.identifier:match("^(%a+)%-")
    if not NUMBERED[kind] then
      return nil
    end
    counts[kind] = counts[kind] + 1
    local label = pandoc.Inlines({
      pandoc.Str(NUMBERED[kind] .. "\u{a0}" .. counts[kind] .. ":"),
      pandoc.Space(),
    })
    local long = el.caption.long
    if #long > 0 and (long[1].t == "Plain" or long[1].t == "Para") then
      long[1].content = label .. long[1].content
    else
      long:insert(1, pandoc.Plain(label))
    end
    el.caption.long = long
    return el
  end
  return doc:walk({ traverse = "topdown", Figure = number, Table = number })
end

function Image(img)
  local alt = alt_text(img)
  check_local(img.src)
  local ext = (img.src:match("%.(%w+)$") or ""):lower()
  if ext == "svg" then
    return inline_chart(img, alt)
  end
  local picture = pictures[ext]
  if not picture then
    fail("The image '" .. img.src .. "' is not in a format the report can show. " ..
      FORMATS)
  end
  img.attributes["fig-alt"] = nil
  img.attributes["alt"] = alt
  embed_picture(img, picture)
  return img
end

-- A column of long text (given at least this share of the width, as document.py gives
-- free text) keeps a readable width on a narrow screen: the table scrolls in its region
-- rather than squeezing that column to a word per line.
local WIDE_TEXT = 0.35

local function mark_wide_text(tbl)
  local wide = {}
  for i, spec in ipairs(tbl.colspecs) do
    local width = spec[2] or spec.width
    if i > 1 and type(width) == "number" and width >= WIDE_TEXT then
      wide[i] = true
    end
  end
  local function mark_rows(rows)
    for _, row in ipairs(rows) do
      for i, cell in ipairs(row.cells) do
        if wide[i] then
          cell.classes:insert("wide-text")
        end
      end
    end
  end
  mark_rows(tbl.head.rows)
  for _, body in ipairs(tbl.bodies) do
    mark_rows(body.body)
  end
end

local table_count = 0

-- A captioned table becomes
--   <figure id="tbl-x" class="table-figure">
--     <figcaption id="tbl-x-caption">Table 1: caption</figcaption>
--     <div class="table-wrap" role="region" tabindex="0" aria-labelledby="tbl-x-caption">
--       <table aria-labelledby="tbl-x-caption">...</table></div></figure>
-- as Quarto writes a table float: the caption stays in view above a table that scrolls
-- (inside the table it would scroll away with it), and still names the table.
function Table(tbl)
  mark_wide_text(tbl)
  local caption = squash(stringify(tbl.caption.long))
  -- A list of pairs, not a Lua table: attribute order must not vary between runs.
  local region = { { "role", "region" }, { "tabindex", "0" } }
  if caption == "" then
    table.insert(region, { "aria-label", "Table" })
    return pandoc.Div({ tbl }, pandoc.Attr("", { "table-wrap" }, region))
  end
  table_count = table_count + 1
  local ident = tbl.identifier
  local caption_id = (ident ~= "" and ident or ("table-" .. table_count)) .. "-caption"
  table.insert(region, { "aria-labelledby", caption_id })
  local caption_blocks = tbl.caption.long
  tbl.caption.long = pandoc.Blocks({})
  tbl.identifier = ""
  tbl.attributes["aria-labelledby"] = caption_id
  local open = "<figure" .. (ident ~= "" and (' id="' .. attr_escape(ident) .. '"') or "") ..
    ' class="table-figure">'
  local blocks = pandoc.Blocks({
    pandoc.RawBlock("html", open),
    pandoc.RawBlock("html", '<figcaption id="' .. attr_escape(caption_id) .. '">'),
  })
  blocks:extend(caption_blocks)
  blocks:extend({
    pandoc.RawBlock("html", "</figcaption>"),
    pandoc.Div({ tbl }, pandoc.Attr("", { "table-wrap" }, region)),
    pandoc.RawBlock("html", "</figure>"),
  })
  return blocks
end

-- Quarto copies a figure's fig-alt onto the div around it (<div class="quarto-float"
-- alt="...">). A div has no alternative text: the alt is the image's accessible name
-- (above), and the copy would repeat it to anything that reads the page's text.
--
-- Quarto writes a numbered table's caption above the table, in its float, and marks the
-- div around the table as described by it: the scrolling region (Table, above, found no
-- caption on the table) is named by that caption, as the built-in engine's is.
function Div(div)
  if div.classes:includes("quarto-float") and div.attributes["alt"] then
    div.attributes["alt"] = nil
    return div
  end
  local caption_id = div.attributes["aria-describedby"]
  if not caption_id then
    return nil
  end
  local named = false
  for _, block in ipairs(div.content) do
    if block.t == "Div" and block.classes:includes("table-wrap")
        and block.attributes["aria-label"] == "Table" then
      block.attributes["aria-label"] = nil
      block.attributes["aria-labelledby"] = caption_id
      if block.content[1] and block.content[1].t == "Table" then
        block.content[1].attributes["aria-labelledby"] = caption_id
      end
      named = true
    end
  end
  return named and div or nil
end

return {
  { Pandoc = number_captions },
  { Image = Image, Table = Table, Div = Div },
}
