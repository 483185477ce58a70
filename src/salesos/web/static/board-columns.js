/* The pipeline board's columns, apart from moves: a focused card brings its column into view, and a
   column's "Load more" never repeats a card already on the board. Both only read the board as the page
   shows it, so they need nothing from board.js (moves, the lost-reason dialog, live updates). Loaded only
   on /leads, with board.js. */
(function () {
  "use strict";

  function boardEl() { return document.getElementById("board"); }

  // --- a focused card's column comes into view --------------------------------------------------------
  // Focus scrolls only as far as the focused element needs, and a card half past the board's edge (or
  // its Move button, past it) stayed there. A card reached with Tab, j/k or a move brings its whole
  // column into view sideways, head (count, total) included, clear of the edge's fade: scroll-padding
  // (app.css) says how far. The last column so comes to the end, where no fade is left.
  function revealColumn(column) {
    var board = boardEl();
    if (!board || !column || board.scrollWidth <= board.clientWidth) { return; }
    var pad = parseFloat(window.getComputedStyle(board).scrollPaddingLeft) || 0;
    var box = board.getBoundingClientRect();
    var col = column.getBoundingClientRect();
    var pastEnd = col.right - (box.right - pad);
    var beforeStart = box.left + pad - col.left;
    if (pastEnd > 0) {
      // Not so far that its start goes under the other edge (a column wider than the board shows its start).
      board.scrollLeft += Math.min(pastEnd, Math.max(0, -beforeStart));
    } else if (beforeStart > 0) {
      board.scrollLeft -= beforeStart;
    }
  }
  document.addEventListener("focusin", function (event) {
    var card = event.target.closest ? event.target.closest(".lead-card") : null;
    var board = boardEl();
    if (card && board && board.contains(card)) { revealColumn(card.closest(".board-column")); }
  });

  // --- "Load more" ----------------------------------------------------------------------------------
  // A column's pages come newest id first, but a card moved into the column (one's own move, or another
  // user's arriving through the stream) is put at its top: a later page holds it again. A card already
  // on the board is left out of the page, so it never shows twice (and the cards shown add up to the
  // column's count). One elsewhere on the board has a refresh on its way that moves it here.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    var button = detail.requestConfig ? detail.requestConfig.elt : null;
    if (detail.isError || !button || !button.classList || !button.classList.contains("load-more")) { return; }
    if (!boardEl() || !boardEl().contains(button)) { return; }
    var tpl = document.createElement("template");
    tpl.innerHTML = detail.serverResponse;
    var repeated = Array.prototype.filter.call(tpl.content.querySelectorAll(".lead-card"), function (card) {
      return !!document.getElementById(card.id);
    });
    if (!repeated.length) { return; }
    repeated.forEach(function (card) { card.remove(); });
    detail.serverResponse = tpl.innerHTML;
  });
})();
