// The demo "shop" page. Every widget is embedded into the very same HTML, so any
// difference between pages is the widget alone. No images: image decoding would add noise.

const PRODUCTS = [
  ['Jasmine green tea, 250 g', '¥ 68.00', 'Spring harvest from Fujian, rolled by hand, floral and light.'],
  ['Porcelain tea set', '¥ 329.00', 'Four cups, one pot, one tray. Dishwasher safe.'],
  ['Bamboo tea tray', '¥ 159.00', 'Drains into a hidden reservoir; oiled bamboo, 40 × 25 cm.'],
  ['Oolong sampler', '¥ 98.00', 'Six oolongs from Taiwan and Wuyi, 25 g each.'],
  ['Glass kettle 1.2 L', '¥ 119.00', 'Borosilicate glass, works on gas and induction.'],
  ['Pu-erh cake 357 g', '¥ 238.00', 'Ripe pu-erh pressed in 2019, earthy and smooth.'],
  ['Travel tea tumbler', '¥ 89.00', 'Double wall, infuser basket, keeps tea hot for 8 hours.'],
  ['White peony tea', '¥ 112.00', 'Bai Mu Dan from Fuding, sweet and mellow.'],
  ['Tea towel, linen', '¥ 39.00', 'Absorbent linen, three colours.'],
  ['Gaiwan, celadon', '¥ 76.00', 'Classic 120 ml lidded bowl for gongfu brewing.'],
  ['Matcha whisk set', '¥ 145.00', 'Bamboo whisk, scoop and bowl.'],
  ['Longjing (Dragon Well)', '¥ 188.00', 'Pre-Qingming picking, pan-fired, chestnut notes.'],
];

function productCards() {
  return PRODUCTS.map(
    ([name, price, text], i) => `
      <article class="card">
        <h3><a href="#p${i}">${name}</a></h3>
        <p class="price">${price}</p>
        <p>${text}</p>
        <button type="button">Add to cart</button>
      </article>`,
  ).join('');
}

/** Full HTML of the demo page with `embed` (the widget's snippet) at the end of <body>. */
export function demoPage({ title, embed, head = '' }) {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>Tea House — ${title}</title>
<style>
  body { margin: 0; font: 16px/1.5 system-ui, sans-serif; color: #222; background: #fafaf7; }
  header, footer { background: #2d4a3e; color: #fff; padding: 12px 24px; }
  header nav a { color: #fff; margin-right: 16px; }
  main { max-width: 1000px; margin: 0 auto; padding: 24px; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(220px, 1fr)); gap: 16px; }
  .card { background: #fff; border: 1px solid #ddd; border-radius: 8px; padding: 12px; }
  .price { font-weight: bold; color: #a33; }
</style>
${head}
</head>
<body>
<header><strong>Tea House</strong> <nav><a href="#">Tea</a><a href="#">Teaware</a><a href="#">Gifts</a><a href="#">Orders</a></nav></header>
<main>
  <h1>Spring teas are here</h1>
  <p>Free shipping over ¥ 199. Orders placed before 16:00 ship the same day. Returns within 7 days, no questions asked.</p>
  <section class="grid">${productCards()}
  </section>
  <h2>About us</h2>
  <p>We buy directly from small farms in Fujian, Zhejiang and Yunnan and pack every order by hand in Hangzhou.</p>
</main>
<footer>© Tea House · Shipping · Returns · Contact</footer>
<script>
  // The shop's own script (every shop has one): the cart buttons. A page's first script pays for
  // setting up the document's bindings; without one, a widget's loader would be charged for it.
  let cart = 0;
  for (const button of document.querySelectorAll('.card button')) {
    button.onclick = () => (document.querySelector('header strong').textContent = \`Tea House · cart \${++cart}\`);
  }
</script>
${embed}
</body>
</html>
`;
}
