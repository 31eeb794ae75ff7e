/** Placeholder card listing what a page will hold once its issue lands. */
export function Planned({ items }: { items: readonly string[] }) {
  return (
    <section className="card planned" aria-label="Planned features">
      <h2 className="card-title">Coming next</h2>
      <ul>
        {items.map((item) => (
          <li key={item}>{item}</li>
        ))}
      </ul>
    </section>
  );
}
