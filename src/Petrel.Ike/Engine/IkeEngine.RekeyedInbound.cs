using Petrel.DataPlane.Kernel;

namespace Petrel.Ike.Engine;

/// <summary>
/// The inbound SA of a CHILD_SA replaced by a rekey stays installed for <see cref="IkeEngineOptions.DeleteRekeyedDelay"/>
/// after the CHILD_SA is deleted (strongSwan's charon.delete_rekeyed_delay): packets the peer sent on it before it
/// switched, still queued or in flight, are decrypted instead of dropped. The outbound SA and the keys go at once.
/// </summary>
public sealed partial class IkeEngine
{
    private readonly List<(TimeSpan Due, uint Spi)> _rekeyedInbound = [];

    /// <summary>Removes an inbound SA now, or after the delay when a rekey replaced its CHILD_SA.</summary>
    internal void RemoveInbound(IkeSa sa, ChildSa child, bool replaced)
    {
        if (!replaced || Options.DeleteRekeyedDelay <= TimeSpan.Zero)
        {
            Kernel.RemoveSa(child.SpiIn, SaDirection.Inbound);
            return;
        }
        _rekeyedInbound.Add((Clock.Now + Options.DeleteRekeyedDelay, child.SpiIn));
        Log.Debug(sa, $"keeping inbound SA {child.SpiIn:x8} of rekeyed CHILD_SA {child.Config.Name}{{{child.UniqueId}}} for {Options.DeleteRekeyedDelay.TotalSeconds:0.#} s for delayed packets");
    }

    private void TickRekeyedInbound(TimeSpan now)
    {
        for (int i = _rekeyedInbound.Count - 1; i >= 0; i--)
        {
            if (_rekeyedInbound[i].Due > now) continue;
            Kernel.RemoveSa(_rekeyedInbound[i].Spi, SaDirection.Inbound);
            _rekeyedInbound.RemoveAt(i);
        }
    }
}
