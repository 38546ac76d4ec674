using Microsoft.Extensions.Logging;
using Petrel.DataPlane.Pipeline;
using Petrel.Platform.Net;

namespace Petrel.Platform.Host;

/// <summary>
/// The raw protocol 50 (plain ESP) and 51 (AH) reader threads. Each owns one
/// <see cref="RawReceiveBatch"/>: one recvmmsg(2) returns every packet queued on the socket (up
/// to <see cref="RawReceiveBatch.Capacity"/>), each is processed in place in its slot, and
/// <see cref="DataPlaneStatistics.CountRawReceive"/> records calls against packets. With TUN offload
/// the decrypted packets of a receive are coalesced into GSO writes (<see cref="InboundBatch"/>).
/// </summary>
public sealed partial class DataPlaneHost
{
    private void RawLoop(RawIpSocket socket)
    {
        // Each slot has UserspaceKernel.InboundHeadroom bytes in front: transport mode writes an IP header there.
        using var batch = new RawReceiveBatch();
        // With vnet headers on the TUN device the decrypted TCP/UDP packets of one receive go up as
        // GSO packets, as on the UDP_GRO path (all slots live in one buffer, as the coalescers need).
        var inbound = Kernel.CreateInboundBatch(Tun.Offload ? Tun : null);
        while (!_stopping)
        {
            int n = socket.ReceiveBatch(batch, PollMs);
            if (n < 0)
                break;
            if (n == 0)
                continue;
            Kernel.Statistics.CountRawReceive(n);
            try
            {
                for (int i = 0; i < n; i++)
                    inbound.Open(batch.Buffer, batch.Offset(i), batch.Length(i));
                inbound.Flush();
            }
            catch (Exception e)
            {
                // Expected failures are drop counters; anything thrown is a bug, logged, not fatal.
                _log.LogError(e, "inbound raw ESP packet failed");
            }
        }
    }

    /// <summary>AH (IP protocol 51): whole IP packets, with spare bytes after each for the ESN high bits.</summary>
    private void RawAhLoop(RawIpSocket socket)
    {
        using var batch = new RawReceiveBatch();
        while (!_stopping)
        {
            int n = socket.ReceiveBatch(batch, PollMs);
            if (n < 0)
                break;
            if (n == 0)
                continue;
            Kernel.Statistics.CountRawReceive(n);
            for (int i = 0; i < n; i++)
            {
                try
                {
                    Kernel.ProcessInboundAh(batch.Buffer, batch.Offset(i), batch.Length(i));
                }
                catch (Exception e)
                {
                    _log.LogError(e, "inbound raw AH packet failed");
                }
            }
        }
    }
}
