// federation.jsx — placeholder until the peers API lands.
export function Federation() { return <main id="main" tabindex="-1"><h1>Federation</h1></main>; }
