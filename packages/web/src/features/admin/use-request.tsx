import { useCallback, useState } from 'react';
import { Alert } from 'antd';
import { errorText } from './admin-api.ts';

/**
 * The busy flag and error message of a page's or a form's API request: `run` marks it busy, clears the last error and
 * shows the API's message (errorText) instead of throwing.
 */
export function useRequest() {
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const run = useCallback(async (action: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await action();
    } catch (e) {
      setError(errorText(e));
    } finally {
      setBusy(false);
    }
  }, []);
  return { busy, error, setError, run };
}

/** The error of a form, above its fields. */
export function FormError({ error }: { error: string | null }) {
  return error ? <Alert type="error" showIcon message={error} style={{ marginBottom: 12 }} /> : null;
}
