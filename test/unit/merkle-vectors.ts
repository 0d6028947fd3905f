// Published RFC 6962 test vectors, copied as data (hex strings and node coordinates) from the
// transparency-dev/merkle repository, the Merkle library behind Certificate Transparency's Go
// code. Each block names the file it comes from. No code was copied.

// From transparency-dev/merkle, rfc6962/rfc6962_test.go (TestRFC6962Hasher).
export const HASHER = {
  emptyRoot: 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  emptyLeaf: '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  /** leafHash of the ASCII bytes "L123456". */
  leafL123456: '395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56',
} as const

// From transparency-dev/merkle, proof/verify_test.go (`leaves`, `roots`).
/** Leaf data, hex. */
export const LEAVES: readonly string[] = [
  '',
  '00',
  '10',
  '2021',
  '3031',
  '40414243',
  '5051525354555657',
  '606162636465666768696a6b6c6d6e6f',
]

/** ROOTS[n - 1] is the root of the tree of the first n LEAVES. */
export const ROOTS: readonly string[] = [
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
]

// From transparency-dev/merkle, proof/verify_test.go (`inclusionProofs`). The source numbers
// leaves from 1; `leafIndex` here is that number minus 1.
export const INCLUSION_PROOFS: readonly { leafIndex: number; treeSize: number; path: readonly string[] }[] = [
  { leafIndex: 0, treeSize: 1, path: [] },
  {
    leafIndex: 0,
    treeSize: 8,
    path: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    leafIndex: 5,
    treeSize: 8,
    path: [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    leafIndex: 2,
    treeSize: 3,
    path: ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125'],
  },
  {
    leafIndex: 1,
    treeSize: 5,
    path: [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
]

// From transparency-dev/merkle, proof/verify_test.go (`consistencyProofs`).
export const CONSISTENCY_PROOFS: readonly { oldSize: number; newSize: number; proof: readonly string[] }[] = [
  { oldSize: 1, newSize: 1, proof: [] },
  {
    oldSize: 1,
    newSize: 8,
    proof: [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  },
  {
    oldSize: 6,
    newSize: 8,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
  {
    oldSize: 2,
    newSize: 5,
    proof: [
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  },
  {
    oldSize: 6,
    newSize: 7,
    proof: [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  },
]

/**
 * One element of a proof, as stored nodes: a perfect subtree [level, index], or several of them
 * (listed lowest level first, as in the source) joined into one imperfect right-edge subtree.
 */
export type ProofNode = readonly [number, number] | { readonly joined: readonly (readonly [number, number])[] }

// The node coordinates of the expected proofs, from transparency-dev/merkle, proof/proof_test.go
// (TestInclusion, TestConsistency). The source writes a joined element as a `rehash` range of its
// node list; here it is `{ joined: [...] }` at the position the joined hash takes in the proof.
const J = (...ids: (readonly [number, number])[]): ProofNode => ({ joined: ids })

export const INCLUSION_NODES: readonly { treeSize: number; leafIndex: number; nodes: readonly ProofNode[] }[] = [
  { treeSize: 1, leafIndex: 0, nodes: [] },
  { treeSize: 2, leafIndex: 0, nodes: [[0, 1]] },
  { treeSize: 2, leafIndex: 1, nodes: [[0, 0]] },
  {
    treeSize: 3,
    leafIndex: 1,
    nodes: [
      [0, 0],
      [0, 2],
    ],
  },
  { treeSize: 7, leafIndex: 0, nodes: [[0, 1], [1, 1], J([0, 6], [1, 2])] },
  { treeSize: 7, leafIndex: 1, nodes: [[0, 0], [1, 1], J([0, 6], [1, 2])] },
  { treeSize: 7, leafIndex: 2, nodes: [[0, 3], [1, 0], J([0, 6], [1, 2])] },
  { treeSize: 7, leafIndex: 3, nodes: [[0, 2], [1, 0], J([0, 6], [1, 2])] },
  {
    treeSize: 7,
    leafIndex: 4,
    nodes: [
      [0, 5],
      [0, 6],
      [2, 0],
    ],
  },
  {
    treeSize: 7,
    leafIndex: 5,
    nodes: [
      [0, 4],
      [0, 6],
      [2, 0],
    ],
  },
  {
    treeSize: 7,
    leafIndex: 6,
    nodes: [
      [1, 2],
      [2, 0],
    ],
  },
  {
    treeSize: 4,
    leafIndex: 2,
    nodes: [
      [0, 3],
      [1, 0],
    ],
  },
  {
    treeSize: 5,
    leafIndex: 3,
    nodes: [
      [0, 2],
      [1, 0],
      [0, 4],
    ],
  },
  {
    treeSize: 6,
    leafIndex: 3,
    nodes: [
      [0, 2],
      [1, 0],
      [1, 2],
    ],
  },
  {
    treeSize: 6,
    leafIndex: 4,
    nodes: [
      [0, 5],
      [2, 0],
    ],
  },
  { treeSize: 15, leafIndex: 10, nodes: [[0, 11], [1, 4], J([0, 14], [1, 6]), [3, 0]] },
  { treeSize: 31, leafIndex: 24, nodes: [[0, 25], [1, 13], J([0, 30], [1, 14]), [3, 2], [4, 0]] },
  {
    treeSize: 95,
    leafIndex: 81,
    nodes: [[0, 80], [1, 41], [2, 21], J([0, 94], [1, 46], [2, 22]), [4, 4], [6, 0]],
  },
]

/** [treeSize, leafIndex] pairs the source rejects. */
export const INCLUSION_REJECTED: readonly (readonly [number, number])[] = [
  [0, 0],
  [0, 1],
  [1, 2],
  [0, 3],
  [7, 8],
]

export const CONSISTENCY_NODES: readonly { oldSize: number; newSize: number; nodes: readonly ProofNode[] }[] = [
  { oldSize: 1, newSize: 2, nodes: [[0, 1]] },
  {
    oldSize: 1,
    newSize: 4,
    nodes: [
      [0, 1],
      [1, 1],
    ],
  },
  {
    oldSize: 1,
    newSize: 6,
    nodes: [
      [0, 1],
      [1, 1],
      [1, 2],
    ],
  },
  { oldSize: 2, newSize: 3, nodes: [[0, 2]] },
  {
    oldSize: 2,
    newSize: 8,
    nodes: [
      [1, 1],
      [2, 1],
    ],
  },
  { oldSize: 3, newSize: 7, nodes: [[0, 2], [0, 3], [1, 0], J([0, 6], [1, 2])] },
  { oldSize: 4, newSize: 7, nodes: [J([0, 6], [1, 2])] },
  {
    oldSize: 5,
    newSize: 7,
    nodes: [
      [0, 4],
      [0, 5],
      [0, 6],
      [2, 0],
    ],
  },
  {
    oldSize: 6,
    newSize: 7,
    nodes: [
      [1, 2],
      [0, 6],
      [2, 0],
    ],
  },
  {
    oldSize: 7,
    newSize: 8,
    nodes: [
      [0, 6],
      [0, 7],
      [1, 2],
      [2, 0],
    ],
  },
  { oldSize: 1, newSize: 1, nodes: [] },
  { oldSize: 2, newSize: 2, nodes: [] },
  { oldSize: 3, newSize: 3, nodes: [] },
  { oldSize: 4, newSize: 4, nodes: [] },
  { oldSize: 5, newSize: 5, nodes: [] },
  { oldSize: 7, newSize: 7, nodes: [] },
  { oldSize: 8, newSize: 8, nodes: [] },
  { oldSize: 2, newSize: 4, nodes: [[1, 1]] },
  {
    oldSize: 3,
    newSize: 5,
    nodes: [
      [0, 2],
      [0, 3],
      [1, 0],
      [0, 4],
    ],
  },
  {
    oldSize: 3,
    newSize: 6,
    nodes: [
      [0, 2],
      [0, 3],
      [1, 0],
      [1, 2],
    ],
  },
  { oldSize: 4, newSize: 6, nodes: [[1, 2]] },
  { oldSize: 1, newSize: 7, nodes: [[0, 1], [1, 1], J([0, 6], [1, 2])] },
  { oldSize: 10, newSize: 15, nodes: [[1, 4], [1, 5], J([0, 14], [1, 6]), [3, 0]] },
  { oldSize: 24, newSize: 31, nodes: [[3, 2], J([0, 30], [1, 14], [2, 6]), [4, 0]] },
  {
    oldSize: 81,
    newSize: 95,
    nodes: [[0, 80], [0, 81], [1, 41], [2, 21], J([0, 94], [1, 46], [2, 22]), [4, 4], [6, 0]],
  },
]

/** [oldSize, newSize] pairs the source rejects. */
export const CONSISTENCY_REJECTED: readonly (readonly [number, number])[] = [
  [5, 0],
  [9, 8],
]
