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
* Other images (PNG, JPEG...) are put into pandoc's media bag so that --embed-resources
  embeds them even when pandoc runs with --sandbox.
* Tables are wrapped in a focusable, labelled region that scrolls sideways on its own,
  so the page itself reflows at 320 CSS px without horizontal scrolling. A column of long
  text keeps a readable width there (class wide-text, styles.css).
]]

local stringify = pandoc.utils.stringify

local function fail(message)
  error("\n" .. message .. "\n", 0)
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
    fail("The image '" .. path .. "' does not exist in the build directory.")
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

local svg_count = 0

local function inline_svg(img, alt)
  local svg = read_file(img.src)
  svg = svg:gsub("^\239\187\191", "")               -- byte order mark
  svg = svg:gsub("<%?xml.-%?>", "")                 -- XML declaration
  svg = svg:gsub("<!%-%-.-%-%->", "")               -- comments
  svg = svg:gsub("<!DOCTYPE[^>]*>", "")             -- doctype
  local lower = svg:lower()
  local refused = {
    "<script", "<foreignobject", "javascript:", "@import", "<iframe", "<embed", "<object",
  }
  for _, bad in ipairs(refused) do
    if lower:find(bad, 1, true) then
      fail("The SVG '" .. img.src .. "' contains '" .. bad .. "', which the report does " ..
        "not allow in a chart. Re-draw it as plain SVG.")
    end
  end
  if lower:match("%son%a+%s*=") then
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
  open_tag = '<svg role="img" aria-label="' .. a .. '" focusable="false"' .. open_tag:sub(5)
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
  return pandoc.RawInline("html", open_tag .. "<title>" .. a .. "</title>" ..
    (body:gsub("%s+$", "")))
end

local mime_types = {
  png = "image/png", jpg = "image/jpeg", jpeg = "image/jpeg", gif = "image/gif",
  webp = "image/webp", avif = "image/avif",
}

function Image(img)
  local alt = alt_text(img)
  local ext = (img.src:match("%.(%w+)$") or ""):lower()
  if ext == "svg" then
    return inline_svg(img, alt)
  end
  img.attributes["fig-alt"] = nil
  img.attributes["alt"] = alt
  if mime_types[ext] and not img.src:match("^data:") then
    local existing = pandoc.mediabag.lookup(img.src)
    if not existing then
      pandoc.mediabag.insert(img.src, mime_types[ext], read_file(img.src))
    end
  end
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

function Table(tbl)
  mark_wide_text(tbl)
  local caption = squash(stringify(tbl.caption.long))
  local label = caption ~= "" and caption or "Table"
  -- A list of pairs, not a Lua table: attribute order must not vary between runs.
  return pandoc.Div({ tbl }, pandoc.Attr("", { "table-wrap" }, {
    { "role", "region" },
    { "tabindex", "0" },
    { "aria-label", label },
  }))
end
