// Regenerates the readability test vectors and the character map that
// carebook's port of the reference implementation uses.
//
// The reference is the npm package text-readability 1.1.1 (sentence, word,
// syllable and polysyllable counts), which counts syllables with syllable
// 5.0.1 (itself using pluralize 8.0.0 and normalize-strings 1.1.1). Grades are
// computed from those counts with the published formulas as implemented by
// flesch-kincaid 2.0.1, smog-formula 2.0.1 and flesch 2.0.1. All versions are
// pinned in package.json and package-lock.json beside this script.
//
// Usage (from the repository root):
//
//   npm ci --prefix scripts/readability-vectors
//   node scripts/readability-vectors/generate.mjs
//
// Writes tests/readability_vectors.json and src/check/readability/charmap.rs.
// The passages are the curated edge cases below plus every paragraph, list
// item and heading of the bundled guide in content/, extracted naively (they
// only need to be realistic strings; both sides count the same strings).

import fs from 'node:fs'
import path from 'node:path'
import { createRequire } from 'node:module'
import { fileURLToPath } from 'node:url'

import rs from 'text-readability'
import { syllable } from 'syllable'
import { fleschKincaid } from 'flesch-kincaid'
import { smogFormula } from 'smog-formula'
import { flesch } from 'flesch'

const require = createRequire(import.meta.url)
const here = path.dirname(fileURLToPath(import.meta.url))
const repo = path.resolve(here, '../..')
const version = (name) => require(`${name}/package.json`).version

const CURATED = [
  'The cat sat on the mat.',
  'Rest for a day or two. Then walk a little more each day. Stop if the pain gets worse!',
  'Is it serious? Most back pain is not. See a doctor if it lasts more than six weeks.',
  'Call 911 now. Do not wait.',
  'Dr. Lee said it was fine. We agreed.',
  'It’s a “slipped disc” – doctors call it a herniated disc — and it often heals.',
  "Don't run through sharp pain; it's a sign to stop.",
  'A well-known, low-risk, evidence-based plan works for most runners.',
  'Your physiotherapist will individualise a comprehensive rehabilitation programme, progressively reintroducing activity as tolerated.',
  'Café owners, naïve runners and Zoë’s résumé: accents are normalised before counting.',
  'Spondylolisthesis, spondylolysis and degenerative disc disease are different conditions with similar symptoms.',
  'When you run with a long stride and land with your foot far in front of your body, the force of each step travels up through your leg and into your lower back, which over many miles can make the muscles and joints there sore and stiff.',
  'Sets: 3. Reps: 10. Hold: 5 seconds.',
  'Warm up (5 to 10 minutes). Then stretch.',
  'He stopped. "Why?" She pointed. Then they ran home together quickly.',
  'numbness or tingling between your legs',
  'What it is',
  'Symptoms',
  'When to see a doctor',
  'E.g. ice, heat, or rest: whatever helps.',
  'The 10% rule: add no more than 10% a week.',
  'People who sometimes queue for recipes on Wednesdays every day are forever everywhere.',
  'Tab\tseparated\twords and non\u00a0breaking spaces count differently.',
  'Line one\nLine two. Next line\r\nends here.',
  'ÉCOLE is not split before an accented capital. Éric runs. Anna runs.',
  'The creature reacted. The aerobic realist was idealistic. Cooperation, coordination, reapplication.',
  'Unbelievably, the antiinflammatory medications were counterproductive for hyperactive kilometres.',
  'Biology, geologist, economy, astronomist, creations and the creation.',
  'The children, women, men, geese, mice, knives and wolves ran.',
  'a b. c d e. f g h i.',
  'Wait… what? Really?! Yes.',
  '(This is in brackets.) And this is not.',
  'Ages 12–18 (teenagers) are at risk [1]. Adults too.',
]

function countsOf (text) {
  const sentences = rs.sentenceCount(text)
  const words = rs.lexiconCount(text)
  const syllables = rs.syllableCount(text)
  const polysyllables = rs.polySyllableCount(text)
  // Sentences over 25 words, using the reference's own sentence split and word count.
  const pieces = text.split(/ *[.?!]['")\]]*[ |\n](?=[A-Z])/g)
  const longSentences = pieces.filter((s) => rs.lexiconCount(s) > 25).length
  const c = { sentence: sentences, word: words, syllable: syllables, polysillabicWord: polysyllables }
  const num = (x) => (Number.isFinite(x) ? x : null)
  return {
    text,
    sentences,
    words,
    syllables,
    polysyllables,
    long_sentences: longSentences,
    flesch_kincaid: num(fleschKincaid(c)),
    smog: num(smogFormula(c)),
    flesch: num(flesch(c)),
  }
}

function walk (dir) {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => {
    const p = path.join(dir, e.name)
    return e.isDirectory() ? walk(p) : e.name.endsWith('.md') ? [p] : []
  })
}

// Naive Markdown to text: good enough for realistic test strings.
function contentPassages () {
  const out = []
  for (const file of walk(path.join(repo, 'content')).sort()) {
    const text = fs.readFileSync(file, 'utf8')
    const body = text.replace(/^---\n[\s\S]*?\n---\n/, '')
    let inCode = false
    for (const chunk of body.split(/\n\s*\n/)) {
      if (chunk.trim().startsWith('```')) inCode = !inCode
      if (inCode || chunk.trim().startsWith('```') || chunk.trim().startsWith('|')) continue
      const lines = chunk
        .split('\n')
        .map((l) => l.replace(/^\s*>\s?/, '').replace(/^\[!\w+\]\s*$/, ''))
        .filter((l) => l.trim() !== '')
      const items = []
      for (const line of lines) {
        if (/^\s*([-*]|\d+\.)\s+/.test(line) || items.length === 0) items.push(line)
        else items[items.length - 1] += ' ' + line.trim()
      }
      for (const item of items) {
        const plain = item
          .replace(/^\s*([-*]|\d+\.)\s+/, '')
          .replace(/^#+\s*/, '')
          .replace(/\s*\{#[\w-]+\}\s*$/, '')
          .replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
          .replace(/\[\[[^|\]]*\|([^\]]*)\]\]/g, '$1')
          .replace(/\[\[([^\]]*)\]\]/g, '$1')
          .replace(/\*\*|__|\*|`/g, '')
          .trim()
        if (plain) out.push(plain)
      }
    }
  }
  return out
}

const TRICKY_WORDS = [
  // problematic words, their plurals and inflections
  'abalone', 'adobe', 'anyone', 'cafe', 'cafes', 'people', 'peoples', 'queue', 'queues', 'recipe',
  'recipes', 'wednesday', 'wednesdays', 'shoreline', 'shorelines', 'newlywed', 'newlyweds',
  'sometimes', 'every', 'everywhere', 'forever', 'maybe', 'pulse', 'pulses', 'coyotes', 'zoe',
  // each expression's branches
  'awe', 'awed', 'awesome', 'special', 'initial', 'militia', 'precious', 'gracious', 'religion',
  'lotion', 'nation', 'stations', 'question', 'suggestion', 'union', 'reunion', 'creation',
  'creations', 'creature', 'create', 'biology', 'geologist', 'economy', 'astronomist', 'asia',
  'nausea', 'courteous', 'vogue', 'league', 'plague', 'walked', 'jumped', 'stretched', 'loved',
  'lately', 'juan', 'quail', 'beauty', 'plateau', 'busi', 'business', 'hyperactive', 'antibody',
  'antenna', 'counteract', 'overuse', 'underneath', 'semicircle', 'ultrasound', 'extraordinary',
  'diagnose', 'microscope', 'megaphone', 'kilogram', 'nanometre', 'macroscopic', 'somersault',
  'beautifully', 'strawberry', 'woman', 'women', 'supposedly', 'buying', 'seeing', 'dyeing',
  'unhappy', 'forehead', 'software', 'none', 'nonsense', 'outside', 'postpone', 'subway',
  'preview', 'program', 'dislike', 'sideways', 'somewhere', 'lovely', 'helpless', 'handsome',
  'useful', 'runner', 'runners', 'kindness', 'physician', 'musicians', 'statement', 'movements',
  'cigarette', 'roulettes', 'nashville', 'friendship', 'hardships', 'riverside', 'passport',
  'yorkshire', 'stations', 'motioned', 'little', 'apple', 'tried', 'fiery', 'quietest', 'nimble',
  'able', 'gambling', 'video', 'rodeo', 'realism', 'sarcasm', 'rhythm', 'couldnt', 'wasnt',
  'continuity', 'idea', 'ideas', 'react', 'reacted', 'reaction', 'absorbed', 'shred', 'shredded',
  'being', 'beings', 'pusher', 'washers', 'quantity', 'queueing', 'iambic', 'mcdonald', 'coaxial',
  'coaxing', 'reapply', 'reestablish', 'reimburse', 'reuse', 'theist', 'deist', 'player',
  'alien', 'variety', 'audience', 'radius', 'violin', 'radii', 'fluent', 'cereal', 'realize',
  'unreal', 'realtor', 'belly', 'yelled', 'geography', 'mayor', 'india', 'indian', 'trial',
  'dial', 'piano', 'medial', 'mediate', 'aerial', 'hawaii', 'skiing', 'genuine', 'duet',
  // pluralize's singular rules and irregulars
  'knives', 'wives', 'lives', 'wolves', 'halves', 'loaves', 'movies', 'series', 'species',
  'chinese', 'fish', 'deer', 'sheep', 'measles', 'mice', 'lice', 'children', 'men', 'geese',
  'oxen', 'theses', 'analyses', 'diagnoses', 'criteria', 'phenomena', 'indices', 'matrices',
  'appendices', 'vertebrae', 'alumni', 'data', 'we', 'they', 'themselves', 'those', 'these',
  'hypotheses', 'boxes', 'churches', 'buses', 'gases', 'heroes', 'potatoes', 'echoes', 'pies',
  'ties', 'zombies', 'monies', 'smilies', 'cookies', 'calories', 'injuries', 'tissues',
  'glasses', 'stresses', 'emus', 'menus', 'tests', 'testes', 'cherubim', 'beaux', 'bureaux',
  'selves', 'eaves', 'valves', 'thieves', 'grooves', 'quizzes', 'pokemon', 'various', 'famous',
  'smallpox', 'viscera', 'genera', 'stigmata', 'dice', 'axes', 'feet', 'teeth', 'passersby',
  // accents, ligatures, capitals and non-letters
  'Café', 'naïve', 'résumé', 'Über', 'façade', 'Zoë', 'jalapeño', 'Straße', 'ﬁne', 'İstanbul',
  'ÆSIR', 'Øresund', 'déjà-vu', 'CAPITALS', 'MiXeD', "it's", 'it’s', 'o’clock', 'x-ray',
  'covid19', 'snake_case', '3d', 'a', 'an', 'the', 'I', '', '  ', '42', '…', 'ok!',
]

function wordsOf (passages) {
  const set = new Set(TRICKY_WORDS)
  for (const p of passages) {
    for (const w of p.split(/[\s,.;:!?()[\]"“”]+/)) if (w) set.add(w)
  }
  return [...set].map((w) => [w, syllable(w)])
}

function charmap () {
  const map = require('normalize-strings/charmap.json')
  const entries = Object.entries(map)
    .map(([code, to]) => [Number(code), to])
    .sort((a, b) => a[0] - b[0])
  const rust = (c) => `'\\u{${c.codePointAt(0).toString(16)}}'`
  const lines = entries.map(([code, to]) => `    ('\\u{${code.toString(16)}}', ${rust(to)}),`)
  return [
    '//! normalize-strings 1.1.1\'s character map: accented and other letters and',
    '//! their plain ASCII forms, applied before syllables are counted.',
    '//!',
    '//! Generated by scripts/readability-vectors/generate.mjs; do not edit.',
    '',
    '/// `(from, to)`, sorted by `from`.',
    'pub const CHARMAP: &[(char, char)] = &[',
    ...lines,
    '];',
    '',
  ].join('\n')
}

const curated = CURATED.map(countsOf)
const fromContent = contentPassages().map(countsOf)
const passages = [...curated, ...fromContent]
const vectors = {
  reference: {
    'text-readability': version('text-readability'),
    syllable: version('syllable'),
    pluralize: version('pluralize'),
    'normalize-strings': version('normalize-strings'),
    'flesch-kincaid': version('flesch-kincaid'),
    'smog-formula': version('smog-formula'),
    flesch: version('flesch'),
    node: process.versions.node,
  },
  generated_by: 'scripts/readability-vectors/generate.mjs',
  words: wordsOf(passages.map((p) => p.text)),
  passages,
}
// One word or passage a line, so that a change in the reference reads as a small diff.
const json = [
  '{',
  `"reference": ${JSON.stringify(vectors.reference)},`,
  `"generated_by": ${JSON.stringify(vectors.generated_by)},`,
  '"words": [',
  vectors.words.map((w) => JSON.stringify(w)).join(',\n'),
  '],',
  '"passages": [',
  vectors.passages.map((p) => JSON.stringify(p)).join(',\n'),
  ']',
  '}',
  '',
].join('\n')
fs.writeFileSync(path.join(repo, 'tests/readability_vectors.json'), json)
fs.mkdirSync(path.join(repo, 'src/check/readability'), { recursive: true })
fs.writeFileSync(path.join(repo, 'src/check/readability/charmap.rs'), charmap())
console.log(
  `wrote ${vectors.words.length} words and ${passages.length} passages ` +
    `(${curated.length} curated) to tests/readability_vectors.json`
)
