// POST /api/v1/sessions: Invenio (service token only, see policy.ts), having checked that its
// logged-in user may edit the record, mints a short-lived session token for the deposit form.
import type { Request, Response, Router } from 'express'
import { authFor, type AuthDependencies } from '../../auth/index.js'

interface SessionBody {
  user: string
  recordId: string
}

export function addSessionRoutes(router: Router, context: AuthDependencies): void {
  router.post('/api/v1/sessions', (req: Request, res: Response) => {
    const { user, recordId } = req.body as SessionBody
    const { token, expiresAt } = authFor(context).sessions.mint(user, recordId)
    res.status(201).setHeader('Cache-Control', 'no-store')
    res.json({ token, expiresAt: expiresAt.toISOString(), user, recordId })
  })
}
