namespace Dstack.Kms.Policies;

/// <summary>A policy backend that can tell when its decisions may have changed (a reloaded file, a new block).</summary>
internal interface IPolicyChangeSource
{
    /// <summary>Raised after the backend noticed a change; decisions asked from now on may differ from earlier ones.</summary>
    event EventHandler? PolicyChanged;
}
