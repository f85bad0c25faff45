// Close Reader in the browser: only what the server cannot do.
// - turn a text selection into code-point offsets of the stored text;
// - keyboard shortcuts (a label's key tags the selection, L links, Esc cancels);
// - open the highlight under a click, pick a counterpart while linking;
// - light up a linked span's counterpart and draw the connectors between columns.
// Everything else is server-rendered HTML swapped by htmx.
"use strict";

(() => {
  const toolbar = document.getElementById("toolbar");
  const panel = document.getElementById("panel");
  const svg = document.getElementById("connectors");
  const SVG_NS = "http://www.w3.org/2000/svg";

  // ---- Offsets -----------------------------------------------------------

  // JavaScript strings count UTF-16 units; the server counts code points.
  const codePoints = (s) => {
    let n = 0;
    for (const _ of s) n += 1;
    return n;
  };

  const textRootOf = (node) => {
    const element = node && (node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement);
    return element ? element.closest(".text[data-document]") : null;
  };

  // The page holds the stored text character for character (gaps between
  // paragraphs sit in hidden elements), and each paragraph says where it starts
  // (data-start), so an offset is that start plus the code points between the
  // paragraph and the boundary. Counting from the nearest paragraph, not the top,
  // keeps it right when a long text's page holds only its first parts.
  const paragraphAt = (root, node, offset) => {
    const element = node.nodeType === Node.ELEMENT_NODE ? node : node.parentElement;
    const inside = element.closest(".para[data-start]");
    if (inside && root.contains(inside)) return inside;
    // In a gap, or between the text's children: the last paragraph before that point.
    let child = node === root ? root.childNodes[offset - 1] : node;
    if (node !== root) {
      while (child.parentNode !== root) child = child.parentNode;
      child = child.previousSibling;
    }
    while (child && !(child.nodeType === Node.ELEMENT_NODE && child.matches(".para[data-start]"))) {
      child = child.previousSibling;
    }
    return child || null;
  };

  const offsetOf = (root, node, offset) => {
    const paragraph = paragraphAt(root, node, offset);
    const before = document.createRange();
    before.setStart(paragraph || root, 0);
    before.setEnd(node, offset);
    // Before the first paragraph shown: from where the page's text begins (a later part's page).
    const base = paragraph ? paragraph.dataset.start : root.dataset.low || 0;
    return Number(base) + codePoints(before.toString());
  };

  // The selection as the server wants it, or null when it is not in one article.
  const currentSelection = () => {
    const selection = window.getSelection();
    if (!selection.rangeCount || selection.isCollapsed) return null;
    const range = selection.getRangeAt(0);
    const root = textRootOf(range.startContainer) || textRootOf(range.endContainer);
    if (!root) return null;
    const clipped = range.cloneRange();
    if (!root.contains(range.startContainer)) clipped.setStart(root, 0);
    if (!root.contains(range.endContainer)) clipped.setEnd(root, root.childNodes.length);
    // The placeholder of a long text's unloaded rest holds no text of the article.
    const rest = root.querySelector(":scope > .rest");
    if (rest && clipped.intersectsNode(rest)) {
      if (rest.contains(clipped.startContainer)) return null;
      clipped.setEndBefore(rest);
    }
    const exact = clipped.toString();
    if (!exact.trim()) return null;
    const start = offsetOf(root, clipped.startContainer, clipped.startOffset);
    return {
      document: root.dataset.document,
      text_sha256: root.dataset.sha256 || "",
      start,
      end: start + codePoints(exact),
      exact,
      rect: clipped.getBoundingClientRect(),
    };
  };

  const clearSelection = () => window.getSelection().removeAllRanges();

  const isTyping = (target) =>
    target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));

  // ---- The tagging toolbar ------------------------------------------------

  const hideToolbar = () => {
    if (toolbar) toolbar.hidden = true;
  };

  const showToolbar = (sel) => {
    for (const name of ["document", "text_sha256", "start", "end", "exact"]) toolbar.elements[name].value = sel[name];
    toolbar.hidden = false;
    const width = toolbar.offsetWidth;
    const left = Math.min(
      Math.max(8, sel.rect.left + window.scrollX),
      window.scrollX + document.documentElement.clientWidth - width - 8,
    );
    toolbar.style.left = `${left}px`;
    toolbar.style.top = `${sel.rect.bottom + window.scrollY + 8}px`;
  };

  // ---- Linking: pick a counterpart in the other article --------------------

  let linking = null; // the link form being filled, while the reader picks

  const startLinking = (form) => {
    linking = form;
    document.body.classList.add("linking");
    document.body.dataset.linkingTo = form.dataset.otherDocument;
    hideToolbar();
    clearSelection();
    say(form, "Click a highlight in the other article, or select text there. Esc cancels.");
    // On a phone the panel shrinks while picking: keep its pick area in view.
    form.querySelector("[data-picked]")?.scrollIntoView({ block: "nearest" });
  };

  const stopLinking = () => {
    if (!linking) return;
    document.body.classList.remove("linking");
    delete document.body.dataset.linkingTo;
    linking = null;
  };

  function say(form, message) {
    const picked = form.querySelector("[data-picked]");
    picked.textContent = message;
    picked.hidden = false;
  }

  const linkToSpan = (spanId) => {
    const select = linking.querySelector("select[name=target]");
    if (![...select.options].some((option) => option.value === spanId)) select.add(new Option("", spanId));
    select.value = spanId;
    for (const name of ["target_start", "target_end", "target_exact"]) linking.elements[name].value = "";
    linking.requestSubmit(linking.querySelector("[data-link-submit]"));
  };

  const pickSelection = (sel) => {
    linking.querySelector("select[name=target]").value = "";
    linking.elements.target_start.value = sel.start;
    linking.elements.target_end.value = sel.end;
    linking.elements.target_exact.value = sel.exact;
    say(linking, `Selected “${sel.exact.slice(0, 80)}”. Press Enter or Link to link it.`);
  };

  // ---- Attributions: pick a cue, a source or a piece of content ---------------

  let picking = null; // {form, role} while the reader selects a part in the same article
  const ROLE_NAMES = { cue: "the cue", source: "the source", content: "the content", more: "another piece of the content" };

  const startPicking = (form, role) => {
    stopLinking();
    picking = { form, role };
    document.body.classList.add("picking");
    hideToolbar();
    clearSelection();
    say(form, `Select ${ROLE_NAMES[role]} in this article, then press Enter. Esc cancels.`);
  };

  const stopPicking = () => {
    if (!picking) return;
    document.body.classList.remove("picking");
    picking = null;
  };

  // A new attribution keeps each part in fields of its own; a change of one part uses `part_*`.
  const pickPart = (sel) => {
    const { form, role } = picking;
    const prefix = form.elements.part_start ? "part" : role;
    form.elements[`${prefix}_start`].value = sel.start;
    form.elements[`${prefix}_end`].value = sel.end;
    form.elements[`${prefix}_exact`].value = sel.exact;
    if (form.elements.role) form.elements.role.value = role;
    say(form, `${ROLE_NAMES[role]}: “${sel.exact.slice(0, 80)}”. Press Enter to save, or pick another part.`);
  };

  // ---- Panel ---------------------------------------------------------------

  const closePanel = () => {
    if (!panel) return;
    stopLinking();
    stopPicking();
    panel.replaceChildren();
    for (const mark of document.querySelectorAll("mark.hl.active")) mark.classList.remove("active");
  };

  const openSpans = (spanIds) => {
    const url = new URL(toolbar.dataset.panelUrl, window.location.href);
    for (const id of spanIds) url.searchParams.append("span", id);
    htmx.ajax("GET", url.pathname + url.search, { target: "#panel", swap: "innerHTML" });
  };

  // ---- Links: counterparts and connectors ----------------------------------

  let links = []; // {id, source, target, relation}
  let firstMark = new Map(); // span id -> its first <mark>

  // A piece under many spans names (data-spans) only those that start there; data-outer counts
  // the spans, outermost first, it shares with the piece before it in its sentence, whose first
  // piece names all of its own. Listing every covering span made a deep nest's page quadratic.
  const ownSpans = (mark) => mark.dataset.spans.split(" ").filter(Boolean);
  const sharedSpans = (mark) => Number(mark.dataset.outer || 0);

  // Every span covering a piece, outermost first.
  const spansOf = (mark) => {
    const run = [mark];
    for (let piece = mark; sharedSpans(piece) > 0; ) {
      do piece = piece.previousElementSibling;
      while (piece && !piece.matches("mark.hl"));
      if (!piece) break;
      run.push(piece);
    }
    const chain = [];
    for (const piece of run.reverse()) {
      chain.length = Math.min(chain.length, sharedSpans(piece));
      chain.push(...ownSpans(piece));
    }
    return chain;
  };

  const readLinks = () => {
    const data = document.getElementById("link-data");
    links = data ? JSON.parse(data.dataset.links) : [];
    firstMark = new Map();
    // A span's first piece names it: it starts there, or its sentence does.
    for (const mark of document.querySelectorAll(".text mark.hl")) {
      for (const id of ownSpans(mark)) if (!firstMark.has(id)) firstMark.set(id, mark);
    }
  };

  const linksOf = (spanIds) =>
    links.filter((link) => spanIds.includes(String(link.source)) || spanIds.includes(String(link.target)));

  // The pieces covering any of these spans, in one pass over the text: hits[i] counts the
  // wanted spans among the first i + 1 of the current piece's chain.
  const marksOf = (spanIds) => {
    const wanted = new Set(spanIds.map(String));
    const found = [];
    const hits = [];
    for (const mark of document.querySelectorAll(".text mark.hl")) {
      hits.length = Math.min(hits.length, sharedSpans(mark));
      for (const id of ownSpans(mark)) hits.push((hits.at(-1) || 0) + (wanted.has(id) ? 1 : 0));
      if (hits.at(-1) > 0) found.push(mark);
    }
    return found;
  };

  const scrollsOnItsOwn = (element) => {
    const column = element.closest(".column");
    return column && getComputedStyle(column).overflowY === "auto";
  };

  const litLinks = new Set(); // link ids lit by a hover, kept across redraws of the connectors

  const unlight = () => {
    litLinks.clear();
    for (const element of document.querySelectorAll(".lit")) element.classList.remove("lit");
    svg?.classList.remove("focused");
  };

  const lightCounterparts = (mark) => {
    unlight();
    const ids = spansOf(mark);
    const touching = linksOf(ids);
    if (!touching.length) return;
    const others = touching.flatMap((link) => [String(link.source), String(link.target)]).filter((id) => !ids.includes(id));
    for (const lit of marksOf([...ids, ...others])) lit.classList.add("lit");
    for (const link of touching) {
      litLinks.add(String(link.id));
      svg?.querySelector(`[data-link="${link.id}"]`)?.classList.add("lit");
    }
    svg?.classList.add("focused");
    // Bring the first counterpart into its column's view, without moving the page.
    const counterpart = firstMark.get(others[0]);
    if (counterpart?.isConnected && scrollsOnItsOwn(counterpart)) {
      const column = counterpart.closest(".column").getBoundingClientRect();
      const box = counterpart.getBoundingClientRect();
      if (box.top < column.top || box.bottom > column.bottom) {
        counterpart.scrollIntoView({ block: "center", behavior: "smooth" });
      }
    }
  };

  let drawPending = false;
  let stale = false;
  const drawConnectors = () => {
    drawPending = false;
    if (!svg) return;
    if (stale) {
      stale = false;
      readLinks();
    }
    const columns = document.querySelectorAll("main.reader .column");
    if (columns.length !== 2) return;
    const [left, right] = [...columns].map((column) => column.getBoundingClientRect());
    const main = svg.parentElement.getBoundingClientRect();
    const width = right.left - left.right;
    if (width < 8) {
      svg.replaceChildren(); // stacked on a narrow screen: nothing to join
      return;
    }
    const top = Math.max(left.top, right.top);
    const height = Math.min(left.bottom, right.bottom) - top;
    svg.style.left = `${left.right - main.left}px`;
    svg.style.top = `${top - main.top}px`;
    svg.setAttribute("width", width);
    svg.setAttribute("height", height);
    const leftDocument = columns[0].querySelector(".text").dataset.document;
    const paths = [];
    for (const link of links) {
      const a = firstMark.get(String(link.source));
      const b = firstMark.get(String(link.target));
      // A swap may have replaced a mark since the map was built: read the page again next time.
      if (!a || !b || !a.isConnected || !b.isConnected) {
        if ((a && !a.isConnected) || (b && !b.isConnected)) stale = true;
        continue;
      }
      const [l, r] = textRootOf(a).dataset.document === leftDocument ? [a, b] : [b, a];
      const yl = l.getBoundingClientRect();
      const yr = r.getBoundingClientRect();
      let y1 = (yl.top + yl.bottom) / 2 - top;
      let y2 = (yr.top + yr.bottom) / 2 - top;
      const off = (y) => y < 0 || y > height;
      if ((y1 < 0 && y2 < 0) || (y1 > height && y2 > height)) continue;
      const offscreen = off(y1) || off(y2);
      y1 = Math.min(Math.max(y1, 1), height - 1);
      y2 = Math.min(Math.max(y2, 1), height - 1);
      const path = document.createElementNS(SVG_NS, "path");
      path.setAttribute("d", `M0 ${y1} C${width / 2} ${y1} ${width / 2} ${y2} ${width} ${y2}`);
      // A redraw (the hover itself scrolls a column) keeps the hovered links lit.
      const lit = litLinks.has(String(link.id)) ? " lit" : "";
      path.setAttribute("class", `connector rel-${link.relation}${offscreen ? " off" : ""}${lit}`);
      path.dataset.link = link.id;
      paths.push(path);
    }
    svg.replaceChildren(...paths);
    svg.dataset.drawn = String(paths.length);
    // For the benchmark: when the page was first fully drawn, from navigation start.
    if (!svg.dataset.drawnMs) svg.dataset.drawnMs = String(Math.round(performance.now()));
  };

  const redraw = () => {
    if (!drawPending) {
      drawPending = true;
      requestAnimationFrame(drawConnectors);
    }
  };

  // ---- Events --------------------------------------------------------------

  if (toolbar) {
    let pending = 0;
    document.addEventListener("selectionchange", () => {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(() => {
        const sel = currentSelection();
        if (linking) {
          if (sel && sel.document === linking.dataset.otherDocument) pickSelection(sel);
          return;
        }
        if (picking) {
          if (sel && sel.document === picking.form.dataset.pickDocument) pickPart(sel);
          return;
        }
        if (sel) showToolbar(sel);
        else if (!toolbar.contains(document.activeElement)) hideToolbar();
      });
    });

    toolbar.addEventListener("click", (event) => {
      if (event.target.closest("[data-cancel]")) {
        hideToolbar();
        clearSelection();
      }
    });

    toolbar.addEventListener("htmx:afterRequest", (event) => {
      if (event.detail.successful) {
        clearSelection();
        hideToolbar();
      }
    });

    // A focusable mark cannot start a text selection in Chromium: the press focuses it
    // instead. So for the length of a press it is not focusable; Tab still reaches it.
    let pressedAt = null;
    document.addEventListener(
      "pointerdown",
      (event) => {
        pressedAt = { x: event.clientX, y: event.clientY };
        const mark = event.target.closest?.(".text mark[tabindex]");
        if (!mark) return;
        mark.removeAttribute("tabindex");
        const restore = () => mark.setAttribute("tabindex", "0");
        document.addEventListener("pointerup", restore, { once: true });
        document.addEventListener("pointercancel", restore, { once: true });
      },
      true,
    );

    // A click on a highlight opens its annotations (innermost first), or, while linking, picks
    // it as the counterpart. Not a drag that ends on it, and not a double-click, which selects
    // a word: a single click opens once the time for a second one has passed.
    const DOUBLE_CLICK_MS = 250;
    let opening = 0;
    document.addEventListener("click", (event) => {
      const mark = event.target.closest(".text mark.hl");
      if (!mark) return;
      clearTimeout(opening);
      const moved = pressedAt && Math.hypot(event.clientX - pressedAt.x, event.clientY - pressedAt.y) > 4;
      if (event.detail > 1 || moved || !window.getSelection().isCollapsed) return;
      const ids = spansOf(mark).reverse();
      if (picking) return; // picking selects words; a click on a highlight opens nothing
      if (linking) {
        if (textRootOf(mark).dataset.document === linking.dataset.otherDocument) linkToSpan(ids[0]);
        return;
      }
      opening = setTimeout(() => {
        if (window.getSelection().isCollapsed) openSpans(ids);
      }, DOUBLE_CLICK_MS);
    });
    document.addEventListener("dblclick", () => clearTimeout(opening));
  }

  document.addEventListener("click", (event) => {
    const start = event.target.closest("[data-link-start]");
    if (start) startLinking(start.closest("form"));
    const pick = event.target.closest("[data-pick]");
    if (pick) startPicking(pick.closest("form"), pick.dataset.pick);
    const close = event.target.closest("[data-close]");
    if (close && panel && panel.contains(close)) {
      event.preventDefault();
      closePanel();
    }
    const dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) dismiss.closest(".msg").remove();
  });

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      if (picking) stopPicking();
      else if (linking) stopLinking();
      else if (toolbar && !toolbar.hidden) {
        hideToolbar();
        clearSelection();
      } else closePanel();
      return;
    }
    // Alt+L starts linking even while typing in the panel (a plain L types an "l" there).
    if (event.altKey && !event.ctrlKey && !event.metaKey && event.code === "KeyL" && panel) {
      const here = document.activeElement?.closest?.(".span-card") || panel;
      const form = here.querySelector("[data-link-form]");
      if (form) {
        event.preventDefault();
        startLinking(form);
        return;
      }
    }
    if (event.ctrlKey || event.metaKey || event.altKey || isTyping(event.target)) return;
    if (linking && event.key === "Enter" && linking.elements.target_exact.value) {
      event.preventDefault();
      linking.requestSubmit(linking.querySelector("[data-link-submit]"));
      return;
    }
    if (picking && event.key === "Enter") {
      event.preventDefault();
      const { form } = picking;
      stopPicking();
      form.requestSubmit();
      return;
    }
    if (event.key === "Enter" && event.target.matches?.(".text mark.hl")) {
      event.preventDefault();
      openSpans(spansOf(event.target).reverse());
      return;
    }
    if (toolbar && !toolbar.hidden) {
      const button = toolbar.querySelector(`button[data-key="${CSS.escape(event.key.toLowerCase())}"]`);
      if (button) {
        event.preventDefault();
        button.click();
      }
      return;
    }
    // Proposals: J / K to the next or previous one, A to take it, X to decline it.
    const key = event.key.toLowerCase();
    if (key === "j" || key === "k") {
      event.preventDefault();
      stepProposal(key === "j" ? 1 : -1);
      return;
    }
    if ((key === "a" || key === "x") && panel) {
      const button = panel.querySelector(`.attribution.proposal [data-decide="${key === "a" ? "take" : "decline"}"]`);
      if (button) {
        event.preventDefault();
        // A key pressed as the card arrives may beat htmx to the new form, which would then
        // submit as a plain page (the no-JavaScript path): have htmx take it first.
        htmx.process(button.form);
        button.click();
        return;
      }
    }
    if (event.key.toLowerCase() === "l" && panel) {
      const here = document.activeElement?.closest?.(".span-card") || panel;
      const form = here.querySelector("[data-link-form]");
      if (form) {
        event.preventDefault();
        startLinking(form);
      }
    }
  });

  // The proposals in reading order (a content's first piece each), the one shown in the panel,
  // and the step to the next or the previous.
  const stepProposal = (direction) => {
    const seen = new Set();
    const marks = [...document.querySelectorAll(".text mark.hl.proposed.a-content[data-attr]")].filter((mark) => {
      const id = mark.dataset.attr.split(" ")[0];
      if (seen.has(id)) return false;
      seen.add(id);
      return true;
    });
    if (!marks.length) return;
    const current = panel?.querySelector(".attribution.proposal")?.dataset.attribution;
    const at = marks.findIndex((mark) => mark.dataset.attr.split(" ").includes(current));
    const next = marks[(at + direction + marks.length) % marks.length] || marks[0];
    next.scrollIntoView({ block: "center" });
    openSpans(spansOf(next).reverse());
  };

  // Hovering any part of an attribution lights its other parts: source, cue and content.
  const attributionsOf = (mark) => (mark.dataset.attr ? mark.dataset.attr.split(" ") : []);
  document.addEventListener("mouseover", (event) => {
    const mark = event.target.closest?.(".text mark.hl[data-attr]");
    if (!mark) return;
    const ids = attributionsOf(mark);
    for (const other of document.querySelectorAll(".text mark.hl[data-attr]")) {
      other.classList.toggle("attr-lit", attributionsOf(other).some((id) => ids.includes(id)));
    }
  });
  document.addEventListener("mouseout", (event) => {
    if (!event.target.closest?.(".text mark.hl[data-attr]")) return;
    for (const lit of document.querySelectorAll(".text mark.hl.attr-lit")) lit.classList.remove("attr-lit");
  });

  for (const kind of ["mouseover", "focusin"]) {
    document.addEventListener(kind, (event) => {
      const mark = event.target.closest?.(".text mark.hl.linked");
      // A press of the mouse focuses a linked mark too; lighting (and scrolling) then would
      // cut short the drag that press may begin. Hovering has lit it already.
      if (mark && (kind === "mouseover" || mark.matches(":focus-visible"))) lightCounterparts(mark);
    });
  }
  for (const kind of ["mouseout", "focusout"]) {
    document.addEventListener(kind, (event) => {
      if (event.target.closest?.(".text mark.hl.linked")) unlight();
    });
  }

  // The highlights the panel shows are marked in the text; `reveal` brings the first into view.
  const markActive = (reveal) => {
    const inner = panel?.querySelector(".panel-inner");
    if (!inner) return;
    for (const mark of document.querySelectorAll("mark.hl.active")) mark.classList.remove("active");
    const marks = marksOf(inner.dataset.spans.split(" ").filter(Boolean));
    for (const mark of marks) mark.classList.add("active");
    if (reveal && marks.length) {
      const box = marks[0].getBoundingClientRect();
      if (box.top < 0 || box.bottom > window.innerHeight) marks[0].scrollIntoView({ block: "center" });
    }
  };

  // When the panel shows a highlight, mark it in the text and bring it into view.
  document.addEventListener("htmx:afterSwap", (event) => {
    if (!panel || event.detail.target !== panel) return;
    stopLinking();
    stopPicking();
    const inner = panel.querySelector(".panel-inner");
    if (!inner) return;
    markActive(true);
    inner.focus({ preventScroll: true });
  });

  // ---- A long text comes in parts ------------------------------------------
  // Its page holds the first part and a placeholder (.rest) that htmx swaps for the next part
  // when it comes into view. To show a highlight further on, load the parts up to it first.
  const loadThrough = async (documentId, offset) => {
    const root = document.getElementById(`text-${documentId}`);
    while (root) {
      const rest = root.querySelector(":scope > .rest");
      if (!rest || offset < Number(rest.dataset.start)) return;
      const url = new URL(rest.getAttribute("hx-get"), window.location.href);
      url.searchParams.set("through", offset);
      await htmx.ajax("GET", url.pathname + url.search, { target: rest, swap: "outerHTML" });
      // Swapped by a scroll meanwhile: go on from the new placeholder. Not swapped at all (an
      // error, which the flash shows): stop.
      if (rest.isConnected) return;
    }
  };

  // A sidebar item names where its highlights start (data-at="document:offset …").
  document.addEventListener("click", (event) => {
    const item = event.target.closest?.("#sidebar [data-at]");
    if (!item) return;
    const wanted = item.dataset.at.split(" ").map((at) => at.split(":").map(Number));
    if (!wanted.some(([documentId, offset]) => loadsLater(documentId, offset))) return;
    Promise.all(wanted.map(([documentId, offset]) => loadThrough(documentId, offset))).then(() => markActive(true));
  });

  const loadsLater = (documentId, offset) => {
    const rest = document.querySelector(`#text-${documentId} > .rest`);
    return Boolean(rest) && offset >= Number(rest.dataset.start);
  };

  // A new annotation opens in the panel (the server says which, in HX-Trigger).
  document.body.addEventListener("open-panel", (event) => {
    htmx.ajax("GET", event.detail.url, { target: "#panel", swap: "innerHTML" });
  });

  // A message answers the last action; the next one clears it.
  document.addEventListener("htmx:beforeRequest", () => {
    for (const message of document.querySelectorAll("#flash .msg")) message.remove();
  });

  // While a sidebar filter is on, the text dims the highlights it leaves out.
  const showFilter = () => {
    const main = document.querySelector("main.reader");
    if (!main) return;
    const match = document.getElementById("filter-match");
    main.classList.toggle("filtering", Boolean(match));
    const kept = new Set(match ? marksOf(match.dataset.spans.split(" ")) : []);
    for (const mark of document.querySelectorAll(".text mark.hl")) mark.classList.toggle("kept", kept.has(mark));
  };

  // Sentences swapped in out of band (after tagging) hold new marks: map them at once.
  for (const kind of ["htmx:afterSettle", "htmx:oobAfterSwap"]) {
    document.addEventListener(kind, () => {
      readLinks();
      redraw();
      showFilter();
      markActive(false); // a part just loaded may hold highlights the panel shows
    });
  }
  for (const column of document.querySelectorAll("main.reader .column")) {
    column.addEventListener(
      "scroll",
      () => {
        redraw();
        if (toolbar && !toolbar.hidden) {
          const sel = currentSelection();
          if (sel) showToolbar(sel);
          else hideToolbar();
        }
      },
      { passive: true },
    );
  }
  window.addEventListener("resize", redraw, { passive: true });
  window.addEventListener("scroll", redraw, { passive: true });
  readLinks();
  redraw();
  showFilter();
  document.fonts?.ready.then(redraw);
})();
