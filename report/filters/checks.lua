--[[
checks.lua: refuse document structures the published report must not have.

Used by both outputs (HTML and typst), by the built-in engine and by Quarto.

* The report title is the only level-1 heading (the <h1> in HTML, H1 in the PDF), so
  sections start at level 2 (##). A level-1 heading in the body is an error.
* No citations or cross-references (@key, [@key], @fig-x): the report has no
  bibliography, and the built-in engine does not number cross-references as Quarto
  does, so the two engines would disagree. Write the words ("the chart below"), or
  escape the @ (\@) when it is meant literally.
* Images must be files inside the build directory, named by a relative path: no URLs
  (no request may leave the machine while rendering, and the published HTML must make
  none), no absolute paths, no '..'.
]]

local stringify = pandoc.utils.stringify

local function fail(message)
  -- A clear message: the engine shows pandoc's (or Quarto's) output to the user. Raised
  -- with assert, not error(): Quarto replaces error() in filters with a function that only
  -- logs, and the render would go on.
  assert(false, "\n" .. message .. "\n")
end

function Header(el)
  if el.level == 1 then
    fail("The heading '" .. stringify(el.content) .. "' is a level-1 heading (# ...). " ..
      "The report title is the only level-1 heading: start sections with ## instead.")
  end
end

function Image(el)
  local src = el.src
  if src:match("^%a[%w+.-]*:") or src:match("^//") then
    fail("The image '" .. src .. "' is not a file in the build directory. Save the " ..
      "picture into figures/ and refer to it by a relative path such as figures/chart.svg.")
  end
  if src:match("^/") or src:match("^\\") then
    fail("The image '" .. src .. "' uses an absolute path. Refer to it by a path " ..
      "relative to the report, such as figures/chart.svg.")
  end
  for part in src:gmatch("[^/\\]+") do
    if part == ".." then
      fail("The image '" .. src .. "' reaches outside the build directory with '..'.")
    end
  end
end

function Cite(el)
  local keys = {}
  for _, citation in ipairs(el.citations) do
    table.insert(keys, "@" .. citation.id)
  end
  fail("The text '" .. stringify(el.content) .. "' is a citation or cross-reference (" ..
    table.concat(keys, ", ") .. "), which the report does not support. Write it in " ..
    "words (for example 'the chart below'), or write \\@ for a literal @.")
end
