using System.Net;

namespace Petrel.Platform.Host;

/// <summary>
/// An IKE message arrived on local from remote (non-ESP marker already removed). Called on a
/// socket thread: copy the message and hand it to the IKE thread; do not block.
/// </summary>
public delegate void IkeDatagramHandler(IPEndPoint local, IPEndPoint remote, ReadOnlySpan<byte> message);
