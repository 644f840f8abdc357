/*
 * version: hubgate's version, as /health reports it and as the Graph
 * client names itself (User-Agent).
 */
#ifndef HG_VERSION_H
#define HG_VERSION_H

#define HUBGATE_VERSION	"0.1.0"

#endif
