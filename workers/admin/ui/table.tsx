/** @jsxRuntime automatic @jsxImportSource hono/jsx */
// The dashboard's server-rendered data table (the browser modules build the same markup with app.ts `dataTable`).
import type { Child } from "hono/jsx";

/** A column heading; a `num` column holds figures (right-aligned). */
export type Column = string | { readonly text: string; readonly num: true };

/** A numeric column's heading. */
export const num = (text: string): Column => ({ text, num: true });

/**
 * A scrollable data table: a header row of `head` (or an empty thead the page's module fills, `headId`), then the
 * rows. `bodyId` names the tbody a module fills; `labelledBy` names the heading that labels the table.
 */
export function DataTable(props: { head?: readonly Column[]; headId?: string; bodyId?: string; labelledBy?: string; children: Child }) {
  return (
    <div class="table-wrap">
      <table class="data" aria-labelledby={props.labelledBy}>
        <thead id={props.headId}>
          {props.head === undefined ? null : (
            <tr>{props.head.map((c) => (typeof c === "string" ? <th>{c}</th> : <th class="num">{c.text}</th>))}</tr>
          )}
        </thead>
        <tbody id={props.bodyId}>{props.children}</tbody>
      </table>
    </div>
  );
}

/** `children` after a space, or nothing when `when` is false (a badge or note trailing a cell's text). */
export function Trailing(props: { when: boolean; children: Child }) {
  return props.when ? <> {props.children}</> : null;
}
