// JupyterLab in the page, as the browser tests and the benchmark read and drive it.
// tests/browser/lab.py adds this file to every page it opens, before JupyterLab starts, and
// calls these functions by name: window.eightHeadsLab.kernelIdle(), ….
// window.jupyterapp is there because JupyterLab runs with --LabApp.expose_app_in_browser.

window.eightHeadsLab = {
  // The notebook in front.
  panel() {
    return window.jupyterapp.shell.currentWidget;
  },

  // Its kernel is idle and its cells are there.
  kernelIdle() {
    const app = window.jupyterapp;
    const panel = app && app.shell.currentWidget;
    const ctx = panel && panel.sessionContext;
    const kernel = ctx && ctx.session && ctx.session.kernel;
    return !!(panel && panel.content && ctx.isReady && kernel && kernel.status === "idle"
              && panel.content.widgets.length > 0);
  },

  clearAllOutputs() {
    return window.jupyterapp.commands.execute("notebook:clear-all-cell-outputs");
  },

  // Run All; window.__runAll becomes {ok} (or {ok: false, error}) when the run ends.
  runAll() {
    window.__runAll = null;
    window.jupyterapp.commands.execute("notebook:run-all-cells")
      .then(ok => { window.__runAll = {ok: ok !== false}; },
            err => { window.__runAll = {ok: false, error: String(err)}; });
  },

  shutdownKernel() {
    return this.panel().sessionContext.shutdown();
  },

  // Every code cell's problems: error outputs (unless tagged raises-exception) and stderr,
  // from the notebook model and from what is drawn (Output widgets live outside the model).
  problems(stderrMime, failures) {
    const problems = [];
    this.panel().content.widgets.forEach((cell, i) => {
      if (cell.model.type !== "code") return;
      const tags = cell.model.getMetadata("tags") || [];
      const onPurpose = tags.includes("raises-exception");
      for (const out of cell.model.outputs.toJSON()) {
        if (out.output_type === "error" && !onPurpose)
          problems.push(`cell ${i}: ${out.ename}: ${out.evalue}`);
        if (out.output_type === "stream" && out.name === "stderr")
          problems.push(`cell ${i}: stderr: ${String(out.text).slice(0, 300)}`);
      }
      if (onPurpose) return;
      const shown = `.jp-OutputArea-output[data-mime-type="${stderrMime}"]`;
      for (const node of cell.node.querySelectorAll(shown))
        problems.push(`cell ${i}: error shown: ${node.textContent.slice(0, 300)}`);
      for (const text of failures)
        if (cell.node.textContent.includes(text))
          problems.push(`cell ${i}: "${text}": ${cell.node.textContent.slice(0, 300)}`);
    });
    return problems;
  },

  // Per code cell: how many plotly and widget outputs its model holds, how many figures are
  // drawn in it.
  cellFigures(plotlyMime, widgetMime) {
    const cells = {};
    this.panel().content.widgets.forEach((cell, i) => {
      if (cell.model.type !== "code") return;
      const outs = cell.model.outputs.toJSON();
      cells[i] = {
        plotly: outs.filter(o => o.data && o.data[plotlyMime]).length,
        widgets: outs.filter(o => o.data && o.data[widgetMime]).length,
        drawn: Array.from(cell.node.querySelectorAll(".js-plotly-plot svg.main-svg"))
          .filter(svg => svg.getBoundingClientRect().width > 0).length,
      };
    });
    return cells;
  },

  // Per cell whose stored outputs hold plotly figures, how the page shows them: how many
  // figures, how many plotly views, how many drawn interactively, how many as the PNG stored
  // beside the figure (plotly's renderer shows that picture until the pointer enters it), and
  // how many outputs the image renderer took instead of plotly's (none, if plotly ranks first).
  storedFigures(plotlyMime) {
    const cells = {};
    this.panel().content.widgets.forEach((cell, i) => {
      if (cell.model.type !== "code") return;
      const outs = cell.model.outputs.toJSON();
      const figures = outs.filter(o => o.data && o.data[plotlyMime]).length;
      if (!figures) return;
      const views = Array.from(cell.node.querySelectorAll(".jp-RenderedPlotly"));
      const picture = view => {
        const img = view.querySelector("img.plot-img");
        return !!img && img.src.startsWith("data:image/png") && img.style.display !== "none"
          && img.complete && img.naturalWidth > 0;
      };
      const drawn = view => {
        const plot = view.querySelector(".plot-container");
        return !!plot && plot.style.display !== "none" && !!view.querySelector("svg.main-svg");
      };
      cells[i] = {
        figures,
        views: views.length,
        drawn: views.filter(drawn).length,
        pictures: views.filter(picture).length,
        imageOutputs: cell.node.querySelectorAll(
          '.jp-OutputArea-output[data-mime-type="image/png"]').length,
      };
    });
    return cells;
  },

  // Every slider of the notebook in front: [description, track width in px].
  sliderWidths(current) {
    return Array.from(document.querySelectorAll(`${current} .widget-slider`)).map(s => [
      s.querySelector(".widget-label")?.textContent.trim(),
      Math.round(s.querySelector(".slider-container, .slider")?.getBoundingClientRect().width
                 || 0),
    ]);
  },

  // -- the explorers: a widget box with controls and a plotly figure ------------------------

  // Every explorer of the notebook in front (the Explorer VBox: a row of controls and an
  // Output with a figure): its figure's title and its controls as [description, kind].
  explorers(current) {
    return this.explorerBoxes(current).map(box => ({
      title: box.querySelector(".js-plotly-plot .gtitle")?.textContent || "",
      controls: this.controlsOf(box).map(([label, kind]) => [label, kind]),
    }));
  },

  explorerBoxes(current) {
    return Array.from(document.querySelectorAll(`${current} .widget-vbox`)).filter(box =>
      box.querySelector(":scope > .widget-hbox") && box.querySelector(".js-plotly-plot"));
  },

  // [description, kind, element] of each control in an explorer's row.
  controlsOf(box) {
    const kinds = [["widget-slider", "slider"], ["widget-toggle-buttons", "toggle"],
                   ["widget-dropdown", "dropdown"], ["widget-text", "text"]];
    const found = [];
    for (const el of box.querySelectorAll(":scope > .widget-hbox > *")) {
      const kind = kinds.find(([cls]) => el.classList.contains(cls));
      const label = el.querySelector(".widget-label");
      if (kind && label) found.push([label.textContent.trim(), kind[1], el]);
    }
    return found;
  },

  // The text the explorer's figure draws.
  figureText(explorer) {
    return Array.from(explorer.querySelectorAll(".js-plotly-plot svg text"))
      .map(t => t.textContent).join("\n");
  },

  norm(text) {
    return text.replace(/[ \t\u00a0]+/g, " ");
  },

  // Record [time, figure text, time of the next animation frame] at every change of the
  // explorer's figure, and the time of the next `eventType` event on `target` (window.__t0):
  // the learner's action (keydown on a slider's handle or in a text box, click on a toggle
  // button, change of a dropdown).
  watchFigure(explorer, target, eventType = "keydown") {
    window.__t0 = null;
    window.__history = [];
    if (window.__observer) window.__observer.disconnect();
    let last = this.norm(this.figureText(explorer));
    window.__observer = new MutationObserver(() => {
      const text = this.norm(this.figureText(explorer));
      if (text !== last) {
        const entry = [performance.now(), text, null];
        window.__history.push(entry);
        requestAnimationFrame(() => { entry[2] = performance.now(); });
        last = text;
      }
    });
    window.__observer.observe(explorer, {childList: true, subtree: true, characterData: true,
                                         attributes: true});
    target.addEventListener(eventType, () => { window.__t0 = performance.now(); },
                            {capture: true, once: true});
  },

  // The figure has shown some new, non-empty text since the watch began.
  figureChanged(oldText) {
    return window.__history.some(([, text]) =>
      text !== this.norm(oldText) && text.trim() !== "");
  },

  // [time, frame time] of the first new figure that shows every string of `want`, or null
  // (frame time: the animation frame after it, the one that paints it; null until then).
  firstShowing(oldText, want) {
    const hit = window.__history.find(([, text]) =>
      text !== this.norm(oldText) && want.every(w => text.includes(w)));
    return hit ? [hit[0], hit[2]] : null;
  },

  // Resolves after two animation frames and `ms` more: the page has painted and settled.
  settle(ms) {
    return new Promise(done => requestAnimationFrame(() => requestAnimationFrame(
      () => setTimeout(done, ms))));
  },

  stopWatching() {
    if (window.__observer) window.__observer.disconnect();
  },
};
