// Close Reader in the browser: only what the server cannot do.
// - turn a text selection into code-point offsets of the stored text;
// - keyboard shortcuts (a label's key tags the selection, Esc cancels);
// - open the highlight under a click.
// Everything else is server-rendered HTML swapped by htmx.
"use strict";

(() => {
  const toolbar = document.getElementById("toolbar");
  const panel = document.getElementById("panel");

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
  // paragraphs sit in hidden elements), so an offset is the number of code
  // points between the start of the text element and the boundary.
  const offsetOf = (root, node, offset) => {
    const before = document.createRange();
    before.setStart(root, 0);
    before.setEnd(node, offset);
    return codePoints(before.toString());
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
    const exact = clipped.toString();
    if (!exact.trim()) return null;
    const start = offsetOf(root, clipped.startContainer, clipped.startOffset);
    return {
      document: root.dataset.document,
      start,
      end: start + codePoints(exact),
      exact,
      rect: clipped.getBoundingClientRect(),
    };
  };

  const hideToolbar = () => {
    if (toolbar) toolbar.hidden = true;
  };

  const showToolbar = (sel) => {
    for (const name of ["document", "start", "end", "exact"]) {
      toolbar.elements[name].value = sel[name];
    }
    toolbar.hidden = false;
    const width = toolbar.offsetWidth;
    const left = Math.min(
      Math.max(8, sel.rect.left + window.scrollX),
      window.scrollX + document.documentElement.clientWidth - width - 8,
    );
    toolbar.style.left = `${left}px`;
    toolbar.style.top = `${sel.rect.bottom + window.scrollY + 8}px`;
  };

  const closePanel = () => {
    if (!panel) return;
    panel.replaceChildren();
    for (const mark of document.querySelectorAll("mark.hl.active")) mark.classList.remove("active");
  };

  const marksOf = (spanIds) =>
    [...document.querySelectorAll(".text mark.hl")].filter((mark) =>
      mark.dataset.spans.split(" ").some((id) => spanIds.includes(id)),
    );

  const isTyping = (target) =>
    target instanceof HTMLElement &&
    (target.isContentEditable || ["INPUT", "TEXTAREA", "SELECT"].includes(target.tagName));

  if (toolbar) {
    let pending = 0;
    document.addEventListener("selectionchange", () => {
      cancelAnimationFrame(pending);
      pending = requestAnimationFrame(() => {
        const sel = currentSelection();
        if (sel) showToolbar(sel);
        else if (!toolbar.contains(document.activeElement)) hideToolbar();
      });
    });

    toolbar.addEventListener("click", (event) => {
      if (event.target.closest("[data-cancel]")) {
        hideToolbar();
        window.getSelection().removeAllRanges();
      }
    });

    toolbar.addEventListener("htmx:afterRequest", (event) => {
      if (event.detail.successful) {
        window.getSelection().removeAllRanges();
        hideToolbar();
      }
    });

    // A click on a highlight (not the end of a drag that selects text) opens its annotations.
    document.addEventListener("click", (event) => {
      const mark = event.target.closest(".text mark.hl");
      if (!mark || !window.getSelection().isCollapsed) return;
      const query = mark.dataset.spans.split(" ").map((id) => `span=${id}`).join("&");
      htmx.ajax("GET", `${toolbar.dataset.panelUrl}?${query}`, { target: "#panel", swap: "innerHTML" });
    });
  }

  document.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      if (toolbar && !toolbar.hidden) {
        hideToolbar();
        window.getSelection().removeAllRanges();
      } else {
        closePanel();
      }
      return;
    }
    if (!toolbar || toolbar.hidden || event.ctrlKey || event.metaKey || event.altKey) return;
    if (isTyping(event.target)) return;
    const button = toolbar.querySelector(`button[data-key="${CSS.escape(event.key.toLowerCase())}"]`);
    if (button) {
      event.preventDefault();
      button.click();
    }
  });

  document.addEventListener("click", (event) => {
    const close = event.target.closest("[data-close]");
    if (close && panel && panel.contains(close)) {
      event.preventDefault();
      closePanel();
    }
    const dismiss = event.target.closest("[data-dismiss]");
    if (dismiss) dismiss.closest(".msg").remove();
  });

  // When the panel shows a highlight, mark it in the text and bring it into view.
  document.addEventListener("htmx:afterSwap", (event) => {
    if (!panel || event.detail.target !== panel) return;
    const inner = panel.querySelector(".panel-inner");
    if (!inner) return;
    for (const mark of document.querySelectorAll("mark.hl.active")) mark.classList.remove("active");
    const ids = inner.dataset.spans.split(" ").filter(Boolean);
    const marks = marksOf(ids);
    for (const mark of marks) mark.classList.add("active");
    if (marks.length) {
      const box = marks[0].getBoundingClientRect();
      if (box.top < 0 || box.bottom > window.innerHeight) marks[0].scrollIntoView({ block: "center" });
    }
    inner.focus({ preventScroll: true });
  });

  // A message answers the last action; the next one clears it.
  document.addEventListener("htmx:beforeRequest", () => {
    for (const message of document.querySelectorAll("#flash .msg")) message.remove();
  });
})();
