// htm bound to preact: the pages write markup as tagged templates, no build-time JSX.
import { h } from "preact";
import htm from "htm";

/** Markup as a tagged template (htm over preact's h). */
export const html = htm.bind(h);
