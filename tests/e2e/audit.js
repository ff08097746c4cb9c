// Checks run on every page the browser tests photograph (tests/e2e/site.py
// Person.shoot): labels, alt text, control names, width and WCAG AA contrast.
// Returns a list of problems; empty means the page passed.
() => {
  const issues = [];
  const named = el => el.labels?.length || el.getAttribute('aria-label') || el.getAttribute('aria-labelledby');
  for (const el of document.querySelectorAll('input:not([type=hidden]), select, textarea')) {
    if (!named(el)) issues.push('input without a label: ' + el.outerHTML.slice(0, 80));
  }
  for (const img of document.querySelectorAll('img:not([alt])')) {
    issues.push('image without alt: ' + img.outerHTML.slice(0, 80));
  }
  for (const el of document.querySelectorAll('a[href], button')) {
    if (el.closest('[aria-hidden=true]')) continue;
    if (el.checkVisibility && !el.checkVisibility()) continue;  // not rendered (a closed <details>): checked once shown
    if (!(el.innerText || '').trim() && !el.getAttribute('aria-label')) {
      issues.push('control without a name: ' + el.outerHTML.slice(0, 80));
    }
  }
  // A phone widens its layout viewport (and innerWidth) to fit a page that is
  // too wide, so the device's own width is the one to compare with.
  const width = Math.min(window.innerWidth, screen.width);
  if (document.documentElement.scrollWidth > width + 1) {
    issues.push('page wider than the window: ' + document.documentElement.scrollWidth + 'px > ' + width + 'px');
  }
  if (!document.documentElement.lang) issues.push('html without lang');

  // WCAG AA contrast of visible text on plain backgrounds: 4.5:1, or 3:1 for
  // large text (24px, or 18.66px bold). Text on a background image (the hero
  // gradient) and disabled controls are left out.
  const rgba = c => { const p = c.match(/[\d.]+/g).map(Number); return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1]; };
  const over = (top, under) => [0, 1, 2].map(i => top[i] * top[3] + under[i] * (1 - top[3])).concat(1);
  const lum = c => { const f = v => (v /= 255) <= 0.03928 ? v / 12.92 : ((v + 0.055) / 1.055) ** 2.4;
    return 0.2126 * f(c[0]) + 0.7152 * f(c[1]) + 0.0722 * f(c[2]); };
  function background(el) {
    const layers = [];
    for (let node = el; node; node = node.parentElement) {
      const style = getComputedStyle(node);
      if (style.backgroundImage !== 'none') return null;
      const colour = rgba(style.backgroundColor);
      if (colour[3] > 0) layers.push(colour);
      if (colour[3] === 1) break;
    }
    return layers.reduceRight((under, top) => over(top, under), [255, 255, 255, 1]);
  }
  const dialog = document.querySelector('.modal.show');
  for (const el of (dialog || document.body).querySelectorAll('*')) {
    const text = [...el.childNodes].some(n => n.nodeType === 3 && n.textContent.trim());
    if (!text || el.closest('[disabled], .disabled, svg')) continue;
    const box = el.getBoundingClientRect();
    if (box.width < 2 || box.height < 2 || !el.checkVisibility({opacityProperty: true, visibilityProperty: true})) continue;
    const style = getComputedStyle(el);
    const bg = background(el);
    if (!bg) continue;
    const fg = over(rgba(style.color), bg);
    const [hi, lo] = [lum(fg), lum(bg)].sort((a, b) => b - a);
    const ratio = (hi + 0.05) / (lo + 0.05);
    const size = parseFloat(style.fontSize), bold = parseInt(style.fontWeight) >= 700;
    const needed = size >= 24 || (bold && size >= 18.66) ? 3 : 4.5;
    if (ratio < needed) {
      issues.push(`contrast ${ratio.toFixed(2)} < ${needed}: "${el.textContent.trim().slice(0, 30)}" (${style.color} on rgb(${bg.slice(0, 3).map(Math.round)}))`);
    }
  }
  return issues;
}
