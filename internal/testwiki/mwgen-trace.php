<?php
/**
 * mwgen response-shape trace hook (for test wikis only).
 *
 * Installed by internal/testwiki/mediawiki.sh on the wikis it starts; to
 * probe a wiki you control, copy this file next to its LocalSettings.php and
 * add at the end of LocalSettings.php:
 *
 *     require_once __DIR__ . '/mwgen-trace.php';
 *
 * Then `mwgen shapes probe --api URL` can learn the wiki's response shapes.
 * Never install it on a production wiki: it answers every API request that
 * carries the header "X-Mwgen-Trace: 1" with a copy of the result's internal
 * structure (no secrets beyond what the result itself holds).
 *
 * On APIAfterExecute (after the action module ran, before the formatter) it
 * walks ApiResult's data with its metadata kept (_type, _kvpkeyname,
 * _BC_bools, _element...) and PHP's scalar types, which the JSON formatter
 * strips, and adds it to the result as the string "mwgentrace" (JSON):
 *
 *     {"v":1,"root":NODE}
 *     NODE = "int" | "float" | "string" | "bool" | "null" | "other"
 *          | {"t":_type or null, "m":{metadata}, "c":[[key, NODE], ...]}
 *
 * Keys of "c" keep PHP's key type (int or string), in the array's order.
 */

if ( !defined( 'MEDIAWIKI' ) ) {
	exit( 1 );
}

/** The trace format version, checked by mwgen. */
define( 'MWGEN_TRACE_VERSION', 1 );

/**
 * @param mixed $v
 * @return mixed
 */
function mwgenTraceNode( $v ) {
	if ( is_array( $v ) ) {
		$meta = [];
		$children = [];
		foreach ( $v as $k => $child ) {
			if ( is_string( $k ) && ApiResult::isMetadataKey( $k ) ) {
				$meta[$k] = $child;
				continue;
			}
			$children[] = [ $k, mwgenTraceNode( $child ) ];
		}
		$type = $meta[ApiResult::META_TYPE] ?? null;
		unset( $meta[ApiResult::META_TYPE] );
		return [
			't' => $type,
			'm' => (object)$meta,
			'c' => $children,
		];
	}
	if ( is_int( $v ) ) {
		return 'int';
	}
	if ( is_float( $v ) ) {
		return 'float';
	}
	if ( is_string( $v ) ) {
		return 'string';
	}
	if ( is_bool( $v ) ) {
		return 'bool';
	}
	if ( $v === null ) {
		return 'null';
	}
	return 'other';
}

$wgHooks['APIAfterExecute'][] = static function ( $module ) {
	$request = $module->getRequest();
	if ( $request->getHeader( 'X-Mwgen-Trace' ) !== '1' ) {
		return;
	}
	$result = $module->getResult();
	$data = $result->getResultData( null, [ 'Strip' => 'none' ] );
	$trace = [
		'v' => MWGEN_TRACE_VERSION,
		'module' => $module->getModulePath(),
		'root' => mwgenTraceNode( $data ),
	];
	$json = json_encode( $trace, JSON_UNESCAPED_SLASHES | JSON_UNESCAPED_UNICODE | JSON_PARTIAL_OUTPUT_ON_ERROR );
	$result->addValue( null, 'mwgentrace', $json, ApiResult::NO_SIZE_CHECK );
};
