// Writes the generated types of the HTTP API (see client-types.ts): `npm run api:client`.
import { writeFile } from 'node:fs/promises'
import { CLIENT_TYPES_PATH, clientTypes } from './client-types.js'

await writeFile(CLIENT_TYPES_PATH, await clientTypes())
console.log(`wrote ${CLIENT_TYPES_PATH}`)
