// correlate.jsx — placeholder until the correlation API lands.
export function Correlate() { return <main id="main" tabindex="-1"><h1>Correlation</h1></main>; }
