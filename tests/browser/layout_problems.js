// What makes a phone scroll sideways or squeeze a label: the page wider than the screen,
// an element (a table's wrapper) that scrolls sideways inside it, a button or a section
// link whose label breaks over several lines. Returns one sentence a problem.
() => {
  const problems = [];
  const root = document.documentElement;
  if (root.scrollWidth > root.clientWidth) {
    problems.push(`page ${root.scrollWidth} px wide in ${root.clientWidth} px`);
  }
  const name = (el) => {
    const classes = typeof el.className === 'string' ? el.className.trim().split(/\s+/) : [];
    return el.tagName.toLowerCase() + (el.id ? '#' + el.id : '') +
      classes.filter(Boolean).map((c) => '.' + c).join('');
  };
  for (const el of document.querySelectorAll('body *')) {
    if (el.offsetParent === null) continue;  // not shown
    const overflow = getComputedStyle(el).overflowX;
    if ((overflow === 'auto' || overflow === 'scroll') && el.scrollWidth > el.clientWidth + 1) {
      problems.push(`${name(el)} scrolls sideways: ${el.scrollWidth} px in ${el.clientWidth} px`);
    }
  }
  for (const el of document.querySelectorAll('.btn, .nav-link')) {
    if (el.offsetParent === null || !el.textContent.trim()) continue;
    const range = document.createRange();
    range.selectNodeContents(el);
    // (A visually hidden 1 px input inside a label is no line of text.)
    const rects = [...range.getClientRects()].filter((r) => r.width > 1 && r.height > 1);
    const tops = rects.map((r) => Math.round(r.top));
    const lines = new Set(tops);
    if (lines.size > 1) problems.push(`"${el.textContent.trim()}" wraps over ${lines.size} lines`);
  }
  return problems;
}
