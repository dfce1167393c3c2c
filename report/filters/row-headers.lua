--[[
row-headers.lua: the first column of every data table names its row.

Used by both outputs (HTML and typst), by the built-in engine and by Quarto.

A table of the report reads across: the first cell of each row says what the row is (a
grade, an area, a theme), the other cells are its numbers. So that a screen reader
announces that label with every cell of the row (WCAG 1.3.1), the first column of each
table body is made its row head, and in HTML each header cell says which way it applies:
  <th scope="col"> for the column headers, <th scope="row"> for the first cell of a row.

Pandoc's typst writer has no row headers yet, and typst can tag a cell as a row header only
behind a feature flag (pdf.header-cell, a11y-extras) that the typst package does not turn
on: in the PDF the first column is set in bold by the template (template.typ), and the
report's accessibility statement says that it is not tagged as a row header.
]]

local function mark(cells, scope)
  for _, cell in ipairs(cells) do
    cell.attributes["scope"] = scope
  end
end

function Table(tbl)
  if #tbl.colspecs < 2 then
    return nil -- a single column has no row labels
  end
  for _, row in ipairs(tbl.head.rows) do
    mark(row.cells, "col")
  end
  for _, body in ipairs(tbl.bodies) do
    body.row_head_columns = 1
    for _, row in ipairs(body.body) do
      if #row.cells > 0 then
        mark({ row.cells[1] }, "row")
      end
    end
  end
  return tbl
end
