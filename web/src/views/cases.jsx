// cases.jsx — placeholder until the cases API lands.
export function Cases() { return <main id="main" tabindex="-1"><h1>Attribution cases</h1></main>; }
export function CasePage() { return <main id="main" tabindex="-1"><h1>Case</h1></main>; }
