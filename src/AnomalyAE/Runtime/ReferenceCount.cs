namespace AnomalyAE.Runtime;

/// <summary>
/// Counts the holders of a shared native resource, starting with its creator's one reference; the last
/// <see cref="Release"/> frees it. Once freed, <see cref="TryAcquire"/> fails, so a holder racing with the last release
/// either takes its reference first or learns the resource is gone.
/// </summary>
/// <param name="free">Frees the resource; called once, outside the lock.</param>
internal sealed class ReferenceCount(Action free)
{
    private readonly object _gate = new();
    private int _references = 1;

    /// <summary>Takes a reference; false when the resource is already freed.</summary>
    public bool TryAcquire()
    {
        lock (_gate)
        {
            if (_references == 0) return false;
            _references++;
            return true;
        }
    }

    /// <summary>Gives a reference back; the last one frees the resource. Extra releases are ignored.</summary>
    public void Release()
    {
        lock (_gate)
        {
            if (_references == 0 || --_references > 0) return;
        }
        free();
    }
}
