/**
 * Minimal CSV reading for the recorded data under ../shared/data: plain or gzip (`.gz`) files,
 * one header row, comma-separated, no quoted fields (true for every file the scripts read).
 */
import { createReadStream } from 'node:fs'
import { createGunzip } from 'node:zlib'
import { createInterface } from 'node:readline'
import type { Readable } from 'node:stream'

export type CsvTable = {
  header: string[]
  rows: string[][]
}

/**
 * Reads a whole CSV file into memory.
 * @throws {Error} when the file is missing or empty.
 */
export async function readCsv (filePath: string): Promise<CsvTable> {
  let input: Readable = createReadStream(filePath)
  if (filePath.endsWith('.gz')) input = input.pipe(createGunzip())
  const lines = createInterface({ input, crlfDelay: Infinity })
  let header: string[] | undefined
  const rows: string[][] = []
  for await (const line of lines) {
    if (line === '') continue
    const fields = line.split(',')
    if (header === undefined) header = fields
    else rows.push(fields)
  }
  if (header === undefined) throw new Error(`readCsv: ${filePath} is empty`)
  return { header, rows }
}

/**
 * Index of each requested column in the header.
 * @throws {Error} naming the file and the missing column.
 */
export function columnIndices<K extends string> (table: CsvTable, names: readonly K[], fileLabel: string): Record<K, number> {
  const out = {} as Record<K, number>
  for (const name of names) {
    const index = table.header.indexOf(name)
    if (index < 0) throw new Error(`${fileLabel}: column "${name}" not found in header ${table.header.join(',')}`)
    out[name] = index
  }
  return out
}

/**
 * Parses a decimal string as a finite number.
 * @throws {Error} naming the file, the row and the column on a non-numeric field.
 */
export function parseFiniteNumber (text: string, fileLabel: string, rowIndex: number, column: string): number {
  const value = Number(text)
  if (text === '' || !Number.isFinite(value)) throw new Error(`${fileLabel}: row ${rowIndex} column ${column} is not a finite number: "${text}"`)
  return value
}
