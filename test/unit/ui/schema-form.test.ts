import { fieldsFromSchema, parametersFromInputs } from '../../../ui/src/logic/schema-form.js'

const schema = {
  type: 'object',
  required: ['method'],
  properties: {
    nsteps: { type: 'integer', minimum: 1, maximum: 100000, default: 1000, description: 'MD steps' },
    temperature: { type: 'number', title: 'Temperature (K)' },
    method: { type: 'string', enum: ['B3LYP', 'PBE0'], default: 'PBE0' },
    label: { type: 'string', maxLength: 20 },
    verbose: { type: 'boolean', default: true },
    grid: { type: 'array', items: { type: 'integer' } },
    cutoff: { type: ['number', 'null'] },
  },
}

describe('fieldsFromSchema', () => {
  const fields = fieldsFromSchema(schema)
  const byName = Object.fromEntries(fields.map((field) => [field.name, field]))

  test('one field per property, labelled by its title or name, with kind and bounds', () => {
    expect(fields.map((field) => field.name)).toEqual([
      'nsteps',
      'temperature',
      'method',
      'label',
      'verbose',
      'grid',
      'cutoff',
    ])
    expect(byName.nsteps).toMatchObject({
      label: 'nsteps',
      kind: 'integer',
      minimum: 1,
      maximum: 100000,
      initial: '1000',
      required: false,
      description: 'MD steps',
    })
    expect(byName.temperature).toMatchObject({ label: 'Temperature (K)', kind: 'number', initial: '' })
    expect(byName.label).toMatchObject({ kind: 'string', maxLength: 20 })
    expect(byName.verbose).toMatchObject({ kind: 'boolean', initial: true })
    expect(byName.grid).toMatchObject({ kind: 'json' })
    expect(byName.cutoff).toMatchObject({ kind: 'number' })
  })

  test('enums become options with the default selected, and required is kept', () => {
    expect(byName.method).toMatchObject({ kind: 'enum', required: true, initial: '1' })
    expect(byName.method!.options!.map((option) => option.label)).toEqual(['B3LYP', 'PBE0'])
  })

  test('a schema without properties gives no fields', () => {
    expect(fieldsFromSchema({ type: 'object', properties: {} })).toEqual([])
    expect(fieldsFromSchema(undefined)).toEqual([])
  })
})

describe('parametersFromInputs', () => {
  const fields = fieldsFromSchema(schema)

  test('converts inputs to typed values and leaves empty optional fields out', () => {
    const result = parametersFromInputs(fields, {
      nsteps: '500',
      temperature: ' 298.15 ',
      method: '0',
      label: '',
      verbose: false,
      grid: '[1, 2]',
      cutoff: '',
    })
    expect(result.errors).toEqual({})
    expect(result.parameters).toEqual({
      nsteps: 500,
      temperature: 298.15,
      method: 'B3LYP',
      verbose: false,
      grid: [1, 2],
    })
  })

  test('reports what is wrong per field', () => {
    const result = parametersFromInputs(fields, { nsteps: '2.5', temperature: 'hot', method: '', grid: '[' })
    expect(result.errors).toEqual({
      nsteps: 'nsteps must be a whole number.',
      temperature: 'Temperature (K) must be a number.',
      method: 'method is required.',
      grid: 'grid must be valid JSON.',
    })
    expect(parametersFromInputs(fields, { nsteps: '0', method: '1' }).errors).toEqual({
      nsteps: 'nsteps must be at least 1.',
    })
  })
})
