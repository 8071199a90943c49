"""Pure figure builders: numbers in, plotly ``go.Figure`` out. No widgets, no display, no state,
and no computing from models: the numbers come from the model layer (``helpers.geometry``,
``helpers.cost``, the models' own outputs). One module per topic; import from it directly,
e.g. ``from helpers.figures.attention_maps import attention_heatmap``. The look every
figure shares (template, colours, panel grids) is :mod:`helpers.figures.style`."""
